using System.CommandLine;

namespace Paft.Cli.Commands;

/// <summary>
/// The flags that decide what PAFT trains on and how — task, rows, pool, recipe, schedule, K, LoRA, seed — shared by
/// <c>paft train</c> and <c>paft export</c>, so that the stream an export writes is the one training would use with
/// the same flags, and both commands describe a flag alike.
/// </summary>
internal sealed class TrainingStreamFlags
{
    public Option<string> Task { get; } = new("--task") { Description = "The task: hellaswag, piqa, winogrande or race (or give --task-def)." };
    public Option<string> TaskDef { get; } = new("--task-def") { Description = "A task definition file (JSON: name, fields, optionFields, answerLabels) instead of --task; the rows are then generic jsonl." };
    public Option<string> Data { get; } = new("--data") { Description = "The training rows, in the task's standard format." };
    public Option<string> Prompts { get; } = new("--prompts") { Description = "The training template pool (.jsonl, .csv or .xlsx)." };
    public Option<bool> EscapedNewlines { get; } = new("--escaped-newlines") { Description = @"Templates spell newlines as the two characters \n (the PAFT authors' files)." };
    public Option<int?> Limit { get; } = new("--limit") { Description = "Train on the first N rows only." };

    public Option<string> Recipe { get; } = new("--recipe")
    {
        Description = "Starting point of the training settings, which the other flags override: paper (default; answer letters, lr 1e-4, LoRA r 8 on q/v, K 4, " +
                      "3 epochs, batch 8) or small-model (the demo's: option text as the answer, scored as option text, lr 5e-3, LoRA r 16, 6 epochs, batch 16, max length 512).",
    };
    public Option<string> AnswerTarget { get; } = new("--answer-target") { Description = "What the model learns to say after the answer cue: letter (the recipe paper's) or option-text (small-model's)." };
    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Passes over the data (default: the recipe's; paper 3, small-model 6)." };
    public Option<double?> Lr { get; } = new("--lr") { Description = "Peak learning rate (default: the recipe's; paper 1e-4, small-model 5e-3; cosine schedule, 10% warmup)." };
    public Option<int?> K { get; } = new("--k") { Description = "K: optimizer steps one drawn template is held for before it is redrawn, every epoch anew (default 4)." };
    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Rows per micro-batch (default: the recipe's; paper 8, small-model 16)." };
    public Option<int?> GradAccum { get; } = new("--grad-accum") { Description = "Micro-batches per optimizer step (default 1)." };
    public Option<int?> MaxLength { get; } = new("--max-length") { Description = "Maximum tokens of prompt and answer; longer contexts are cut (default: the recipe's; paper 1024, small-model 512)." };
    public Option<int?> LoraR { get; } = new("--lora-r") { Description = "LoRA rank (default: the recipe's; paper 8, small-model 16)." };
    public Option<double?> LoraAlpha { get; } = new("--lora-alpha") { Description = "LoRA alpha (default: the recipe's; paper 16, small-model 32)." };
    public Option<string> LoraTargets { get; } = new("--lora-targets") { Description = "Comma-separated modules to adapt (default q_proj,v_proj)." };
    public Option<int?> Seed { get; } = new("--seed") { Description = "Seed of template draws, data order and adapter initialisation (default 0)." };

    /// <summary>The inputs (task, rows, pool), in help order.</summary>
    public IEnumerable<Option> Inputs => [Task, TaskDef, Data, Prompts, EscapedNewlines];

    /// <summary>The training settings, in help order.</summary>
    public IEnumerable<Option> Settings => [Recipe, AnswerTarget, Epochs, Lr, K, BatchSize, GradAccum, MaxLength, LoraR, LoraAlpha, LoraTargets, Seed, Limit];

    /// <summary>
    /// <paramref name="flags"/> with these flags as typed on the command line; a flag not typed stays null, so that a
    /// <c>--config</c> file's value is not overridden by a default.
    /// </summary>
    public TrainCommandConfig Read(ParseResult parseResult, TrainCommandConfig flags)
    {
        // A flag option has an implicit result (false) even when absent; only one typed may override the --config file.
        bool Given(Option option) => parseResult.GetResult(option) is { Implicit: false };
        string? Text(Option<string> option) => Given(option) ? parseResult.GetValue(option) : null;
        return flags with
        {
            Task = Text(Task),
            TaskDef = Text(TaskDef),
            Data = Text(Data),
            Prompts = Text(Prompts),
            EscapedNewlines = Given(EscapedNewlines) ? parseResult.GetValue(EscapedNewlines) : null,
            Limit = parseResult.GetValue(Limit),
            Recipe = Text(Recipe),
            AnswerTarget = Text(AnswerTarget),
            Epochs = parseResult.GetValue(Epochs),
            Lr = parseResult.GetValue(Lr),
            K = parseResult.GetValue(K),
            BatchSize = parseResult.GetValue(BatchSize),
            GradAccum = parseResult.GetValue(GradAccum),
            MaxLength = parseResult.GetValue(MaxLength),
            LoraR = parseResult.GetValue(LoraR),
            LoraAlpha = parseResult.GetValue(LoraAlpha),
            LoraTargets = Text(LoraTargets)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Seed = parseResult.GetValue(Seed),
        };
    }
}
