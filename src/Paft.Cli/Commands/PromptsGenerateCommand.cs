using System.CommandLine;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft prompts generate --task TASK --offline --count N [--seed S] --out FILE</c>: writes N templates
/// from the offline grammar. <c>--endpoint URL --model NAME</c> asks a language model instead; that path
/// is <see cref="GenerateOnline"/>, the extension point the LLM-generation piece fills in.
/// </summary>
internal static class PromptsGenerateCommand
{
    public static Command Create()
    {
        Option<string> task = PromptsCommandOptions.Task(required: true);
        Option<bool> offline = new("--offline") { Description = "Compose templates from the built-in grammar; needs no model or network." };
        Option<int> count = new("--count") { Description = "How many templates to write.", Required = true };
        Option<int> seed = new("--seed") { Description = "Seed of the draw: the same seed writes the same templates.", DefaultValueFactory = _ => 0 };
        Option<string> output = new("--out") { Description = "The pool file to write (.jsonl, .csv or .xlsx).", Required = true };
        Option<string> endpoint = new("--endpoint") { Description = "An OpenAI-compatible or Ollama endpoint to generate with (instead of --offline)." };
        Option<string> model = new("--model") { Description = "The model name at --endpoint." };
        var command = new Command("generate", "Generate prompt templates for a task.")
        {
            task, offline, count, seed, output, endpoint, model,
        };
        command.SetAction(parseResult => PromptsCommandOptions.Run(parseResult, writer =>
        {
            TaskDefinition definition = TaskDefinition.FromName(parseResult.GetValue(task)!);
            int n = parseResult.GetValue(count);
            int s = parseResult.GetValue(seed);
            string path = parseResult.GetValue(output)!;
            string? endpointText = parseResult.GetValue(endpoint);
            Uri? url = endpointText is null ? null
                : Uri.TryCreate(endpointText, UriKind.Absolute, out Uri? parsed) ? parsed
                : throw new ArgumentException($"--endpoint '{endpointText}' is not an absolute URL.");
            if (parseResult.GetValue(offline) == (url is not null))
                throw new ArgumentException("Choose one source: --offline, or --endpoint URL --model NAME.");
            if (n <= 0)
                throw new ArgumentException($"--count must be positive (got {n}).");
            if (url is not null)
            {
                string name = parseResult.GetValue(model)
                    ?? throw new ArgumentException("--endpoint needs --model NAME.");
                return GenerateOnline(definition, url, name, n, s, path, writer, parseResult.InvocationConfiguration.Error);
            }
            return GenerateOffline(definition, n, s, path, writer);
        }));
        return command;
    }

    private static int GenerateOffline(TaskDefinition task, int count, int seed, string path, TextWriter output)
    {
        var generator = new OfflineTemplateGenerator(task);
        if (count > generator.Capacity)
            throw new ArgumentException($"--count {count} is more than the {generator.Capacity} distinct templates the offline grammar makes for '{task.Name}'.");
        PromptPool pool = generator.GeneratePool(count, seed);
        pool.Save(path);
        output.WriteLine($"Wrote {pool.Count} templates for task '{task.Name}' to {path} (offline grammar, seed {seed}).");
        return PromptsCommandOptions.Success;
    }

    /// <summary>
    /// Extension point for generation with a language model (<c>--endpoint</c>, <c>--model</c>): the
    /// PromptGeneration piece replaces this body with its client (Microsoft.Extensions.AI), then runs the
    /// result through dedupe and validation and saves it like <see cref="GenerateOffline"/>.
    /// </summary>
    private static int GenerateOnline(TaskDefinition task, Uri endpoint, string model, int count, int seed,
        string path, TextWriter output, TextWriter error)
    {
        _ = (task, endpoint, model, count, seed, path, output);
        error.WriteLine("error: generation with a language model (--endpoint/--model) is not available in this build yet; use --offline.");
        return PromptsCommandOptions.BadInput;
    }
}
