using System.Globalization;
using System.Text;
using Paft.Cli.Commands;
using Paft.Cli.Terminal;
using Paft.MLNet.Prompts;
using Paft.MLNet;
using Paft.MLNet.Training;

namespace Paft.Cli.Codegen;

/// <summary>
/// <c>NAME.training.cs</c>: the run's retraining pipeline in plain C# through <c>mlContext.Paft()</c>, every setting
/// written out as the trainer options <c>paft train</c> builds from them (<see cref="TrainCommandRunner.TrainerOptions"/>),
/// so that it retrains the same model.
/// </summary>
internal static class TrainingCode
{
    /// <summary>Why no training code can be written for these settings, or null.</summary>
    public static string? Unsupported(TrainCommandConfig settings) =>
        settings.TopAccuracy == true || settings.Zopo == true || settings.Batprompt == true
            ? "the template of a --top-accuracy, --zopo or --batprompt run is chosen by a search that the training code does not repeat; " +
              "give the chosen template with --template-id to generate it"
            : null;

    public static string Write(CodegenInput input)
    {
        TrainCommandConfig settings = input.Settings;
        if (Unsupported(settings) is { } why)
            throw new CommandInputException($"paft codegen: no training code: {why}.");
        PromptPool pool = TrainCommandInputs.Pool(settings.Prompts!, input.Task, settings.EscapedNewlines == true);
        PaftTrainerOptions options = TrainCommandRunner.TrainerOptions(settings, input.Task, pool, checkpoints: null);

        StringBuilder code = input.StartFile(GeneratedApi.TrainingUsings, inNamespace: true);
        code.AppendLine($"public static partial class {input.Name}");
        code.AppendLine("{");
        code.AppendLine("    /// <summary>The base model the run fine-tuned.</summary>");
        code.AppendLine($"    public const string BaseModelPath = {CSharpText.String(Path.GetFullPath(settings.Model!))};");
        code.AppendLine();
        code.AppendLine("    /// <summary>The training rows, in the task's format.</summary>");
        code.AppendLine($"    public const string TrainingDataPath = {CSharpText.String(Path.GetFullPath(settings.Data!))};");
        code.AppendLine();
        code.AppendLine("    /// <summary>The training template pool.</summary>");
        code.AppendLine($"    public const string TrainingPromptsPath = {CSharpText.String(Path.GetFullPath(settings.Prompts!))};");
        code.AppendLine();
        code.AppendLine("    /// <summary>Retrains the model with the run's settings, saves it to <paramref name=\"outputFolder\"/> and returns it.</summary>");
        code.AppendLine($"    public static {GeneratedApi.Transformer} RetrainModel(MLContext mlContext, string outputFolder)");
        code.AppendLine("    {");
        code.AppendLine("        ArgumentNullException.ThrowIfNull(mlContext);");
        code.AppendLine($"        {GeneratedApi.TaskType} task = {input.TaskExpression};");
        string read = Format(GeneratedApi.ReadRows, "task", "TrainingDataPath");
        code.AppendLine(settings.Limit is { } limit
            ? $"        IReadOnlyList<{GeneratedApi.ExampleType}> rows = {read}.Take({CSharpText.Int(limit)}).ToArray();"
            : $"        IReadOnlyList<{GeneratedApi.ExampleType}> rows = {read};");
        string escaping = (settings.EscapedNewlines == true ? PromptTextEscaping.BackslashSequences : PromptTextEscaping.None).ToString();
        code.AppendLine($"        {GeneratedApi.PoolType} pool = {Format(GeneratedApi.LoadPool, "TrainingPromptsPath", escaping)};");
        code.AppendLine($"        {GeneratedApi.Transformer} model = BuildPipeline(mlContext, task, pool).Fit({Format(GeneratedApi.RowsToDataView, "rows", "task")});");
        code.AppendLine("        model.Save(outputFolder);");
        code.AppendLine("        return model;");
        code.AppendLine("    }");
        code.AppendLine();
        code.AppendLine("    /// <summary>The trainer with the run's settings, for <paramref name=\"task\"/>'s rows and the templates of <paramref name=\"pool\"/>.</summary>");
        code.AppendLine($"    public static IEstimator<{GeneratedApi.Transformer}> BuildPipeline(MLContext mlContext, {GeneratedApi.TaskType} task, {GeneratedApi.PoolType} pool)");
        code.AppendLine("    {");
        code.AppendLine("        ArgumentNullException.ThrowIfNull(mlContext);");
        code.AppendLine("        ArgumentNullException.ThrowIfNull(pool);");
        code.AppendLine($"        var options = new {GeneratedApi.TrainerOptions}");
        code.AppendLine("        {");
        foreach (string line in OptionLines(options))
            code.AppendLine($"            {line},");
        code.AppendLine("        };");
        code.AppendLine(settings.TemplateId is { } id
            ? $"        return {Format(GeneratedApi.SftTrainer, "mlContext", "options", Format(GeneratedApi.PoolTemplate, "pool", CSharpText.String(id)))};"
            : $"        return {Format(GeneratedApi.PaftTrainer, "mlContext", "options")};");
        code.AppendLine("    }");
        code.AppendLine("}");
        return code.ToString();
    }

    /// <summary>The option assignments, each setting as the run had it.</summary>
    private static IEnumerable<string> OptionLines(PaftTrainerOptions o)
    {
        yield return $"{GeneratedApi.Options.ModelPath} = BaseModelPath";
        yield return $"{GeneratedApi.Options.Task} = task";
        yield return $"{GeneratedApi.Options.TrainingTemplates} = {Format(GeneratedApi.PoolTemplates, "pool")}";
        yield return $"{GeneratedApi.Options.Lora} = new {GeneratedApi.LoraConfig} {{ {GeneratedApi.Options.LoraRank} = {CSharpText.Int(o.Lora.Rank)}, " +
                     $"{GeneratedApi.Options.LoraAlpha} = {CSharpText.Double(o.Lora.Alpha)}, " +
                     $"{GeneratedApi.Options.LoraTargets} = [{string.Join(", ", o.Lora.TargetModules.Select(CSharpText.String))}] }}";
        yield return $"{GeneratedApi.Options.K} = {CSharpText.Int(o.RedrawEverySteps)}";
        yield return $"{GeneratedApi.Options.Epochs} = {CSharpText.Int(o.Epochs)}";
        yield return $"{GeneratedApi.Options.LearningRate} = {CSharpText.Double(o.LearningRate)}";
        yield return $"{GeneratedApi.Options.BatchSize} = {CSharpText.Int(o.BatchSize)}";
        yield return $"{GeneratedApi.Options.GradientAccumulation} = {CSharpText.Int(o.GradientAccumulationSteps)}";
        yield return $"{GeneratedApi.Options.MaxLength} = {CSharpText.Int(o.MaxLength)}";
        yield return $"{GeneratedApi.Options.Seed} = {CSharpText.Int(o.Seed)}";
        yield return $"{GeneratedApi.Options.ComputeType} = {GeneratedApi.ComputeType}.{o.ComputeType}";
        yield return $"{GeneratedApi.Options.GradientCheckpointing} = {CSharpText.Bool(o.GradientCheckpointing)}";
        yield return $"{GeneratedApi.Options.Scoring} = {GeneratedApi.ScoringMode}.{o.Scoring}";
        yield return $"{GeneratedApi.Options.AnswerTarget} = {GeneratedApi.AnswerTarget}.{o.AnswerTarget}";
    }

    private static string Format(string template, params object[] args) => string.Format(CultureInfo.InvariantCulture, template, args);
}
