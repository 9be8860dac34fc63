using System.CommandLine;
using Paft.Cli.Terminal;
using Paft.MLNet.Connectors;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft prompts split --prompts FILE --test-fraction F --seed S --train-out FILE --test-out FILE</c>:
/// a reproducible train/test split with no template (and no near-duplicate group) on both sides.
/// </summary>
internal static class PromptsSplitCommand
{
    public static Command Create()
    {
        Option<string> prompts = PromptsCommandOptions.PromptsFile();
        Option<double> fraction = new("--test-fraction") { Description = "Share of templates for the test pool, between 0 and 1.", Required = true };
        Option<int> seed = new("--seed") { Description = "Seed of the split.", Required = true };
        Option<string> trainOut = new("--train-out") { Description = "Where to write the training pool.", Required = true };
        Option<string> testOut = new("--test-out") { Description = "Where to write the test pool.", Required = true };
        Option<bool> escaped = PromptsCommandOptions.EscapedNewlines();
        Option<double> threshold = PromptsCommandOptions.NearDuplicateThreshold();
        var command = new Command("split", "Split a pool into disjoint train and test pools, keeping near duplicates on one side.")
        {
            prompts, fraction, seed, trainOut, testOut, escaped, threshold,
        };
        command.SetAction(parseResult => PromptsCommandOptions.Run(parseResult, output =>
        {
            string trainPath = parseResult.GetValue(trainOut)!;
            string testPath = parseResult.GetValue(testOut)!;
            if (Path.GetFullPath(trainPath) == Path.GetFullPath(testPath))
                throw new ArgumentException("--train-out and --test-out name the same file.");
            PromptPool pool = PromptPoolFiles.Load(parseResult.GetValue(prompts)!, PromptsCommandOptions.Escaping(parseResult.GetValue(escaped)), CliInputLimits.Current);
            PromptPoolSplit split = pool.Split(parseResult.GetValue(fraction), parseResult.GetValue(seed), parseResult.GetValue(threshold));
            PromptPoolFiles.Save(split.Train, trainPath);
            PromptPoolFiles.Save(split.Test, testPath);
            output.WriteLine($"Train: {split.Train.Count} templates -> {trainPath}");
            output.WriteLine($"Test:  {split.Test.Count} templates -> {testPath}");
            return PromptsCommandOptions.Success;
        }));
        return command;
    }
}
