using System.CommandLine;
using Paft.Cli.Project;
using Paft.Cli.Terminal;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft train --model DIR (--task TASK | --task-def FILE) --data FILE --prompts FILE [--template-id ID | --top-accuracy --validation FILE
/// | --zopo [--zopo-budget N] [--embedding-endpoint URL --embedding-model NAME [--embedding-kind openai|ollama] [--embedding-api-key-env VAR]]
/// --validation FILE | --batprompt --validation FILE [--endpoint URL --llm-model NAME [--kind openai|ollama]
/// [--api-key-env VAR] [--batprompt-rounds N] [--batprompt-rewrite synonym|paraphrase]]]
/// [training flags] [--config FILE.json] --out DIR</c>: PAFT (default) or SFT on one template, saved as a PAFT model folder.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config")
        {
            Description = "A JSON file of settings (keys: the flags in camelCase; see --print-config), or a NAME.paftconfig project (paft init), " +
                          "into which the run's outcome is then written. Flags override it.",
        };
        var printConfig = new Option<bool>("--print-config") { Description = "Write the effective settings as a --config JSON file to standard output and exit." };
        var model = new Option<string>("--model") { Description = "The base model folder (Hugging Face layout)." };
        var stream = new TrainingStreamFlags();
        var templateId = new Option<string>("--template-id") { Description = "Supervised fine-tuning on this one template of the pool instead of PAFT." };
        var topAccuracy = new Option<bool>("--top-accuracy") { Description = "Supervised fine-tuning on the pool template with the best base accuracy on --validation (the TopAccuracy baseline)." };
        var zopo = new Option<bool>("--zopo")
        {
            Description = "Supervised fine-tuning on the pool template found by ZOPO's search over embeddings of the templates (the base model's hidden states, " +
                          "or with --embedding-endpoint a sentence-embedding model's), scored on --validation (the ZOPO baseline).",
        };
        var zopoBudget = new Option<int?>("--zopo-budget") { Description = "Templates --zopo may evaluate on --validation (default 20, at most the pool)." };
        var embedding = new LlmEndpointOptions(TrainCommandConfig.EmbeddingModelFlag, "that embeds the templates for --zopo's search instead of the base model's hidden states",
            repeatable: false, flagPrefix: TrainCommandConfig.EmbeddingFlagPrefix, what: "embedding model");
        var batprompt = new Option<bool>("--batprompt")
        {
            Description = "Supervised fine-tuning on the pool template whose base accuracy on --validation drops least under input noise (the BATprompt baseline; " +
                          "offline, or with --endpoint an LLM also writes improved templates in rounds).",
        };
        var llm = new LlmEndpointOptions(TrainCommandConfig.LlmModelFlag, "that writes improved templates in --batprompt's rounds", repeatable: false);
        var batpromptRounds = new Option<int?>("--batprompt-rounds") { Description = "Rounds in which the --endpoint LLM writes improved templates (default 3; 0: rewrites only)." };
        var batpromptRewrite = new Option<string>("--batprompt-rewrite")
        {
            Description = "Also have the --endpoint LLM rewrite the validation inputs before the noise: synonym or paraphrase (default: character noise only).",
        };
        var timeout = new Option<double?>(LlmRequestTimeout.Flag)
        {
            Description = "Seconds to wait for one reply of the --endpoint LLM or the --embedding-endpoint model before the request counts as failed (default 120).",
        };
        var validation = new Option<string>("--validation") { Description = "Validation rows for --top-accuracy, --zopo or --batprompt." };
        var checkpointDir = new Option<string>("--checkpoint-dir") { Description = "Checkpoint folder (default: <out>-checkpoints)." };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "Write a checkpoint every N steps (default 0: at the end and on Ctrl+C)." };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue from the latest checkpoint of an interrupted run; refused when a setting or the data, pool or validation file differs.",
        };
        var force = new Option<bool>("--force") { Description = "Replace a model of another run in --out, and discard another run's checkpoints." };
        var dtype = new Option<string>("--dtype") { Description = "Compute dtype of the base model: fp32 (default) or bf16; the LoRA weights, optimizer state and loss stay fp32." };
        dtype.AcceptOnlyFromAmong("fp32", "bf16");
        var gradientCheckpointing = new Option<bool>("--gradient-checkpointing") { Description = "Recompute each decoder layer in the backward pass: far less activation memory, about one more forward pass per step." };
        var mode = new Option<string>("--mode") { Description = "How the saved model answers: loglik (default), loglik-option, loglik-norm or generate." };
        var output = new Option<string>("--out") { Description = "The folder to save the model to (with training_log.csv and train_config.json)." };

        var command = new Command("train", "Fine-tune a LLaMA model with PAFT (default) or SFT on one template, and save it.")
        {
            config, printConfig, model,
        };
        foreach (Option option in stream.Inputs.Concat([templateId, topAccuracy, zopo, zopoBudget]).Concat(embedding.All).Append(batprompt).Concat(llm.All)
                     .Concat([batpromptRounds, batpromptRewrite, timeout, validation]).Concat(stream.Settings)
                     .Concat([checkpointDir, checkpointEvery, resume, force, dtype, gradientCheckpointing, mode, output]))
            command.Options.Add(option);

        // A synchronous action: System.CommandLine then leaves Ctrl+C alone (for asynchronous actions it ends the
        // process two seconds after cancelling, which may cut a checkpoint being written); CancelKeyScope handles it.
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            // A flag option has an implicit result (false) even when absent; only one typed on the command line may override the --config file.
            bool Given(Option option) => parseResult.GetResult(option) is { Implicit: false };
            string? Text(Option<string> option) => Given(option) ? parseResult.GetValue(option) : null;
            bool? Flag(Option<bool> option) => Given(option) ? parseResult.GetValue(option) : null;
            // The LLM options repeat for `prompts generate`'s several endpoints; training talks to one LLM.
            string? Once(Option<string[]> option, string why = "paft train --batprompt talks to one LLM") => (parseResult.GetValue(option) ?? []) switch
            {
                [] => null,
                [string value] => value,
                string[] values => throw new CommandInputException($"{option.Name} was given {values.Length} times: {why}; give it once."),
            };
            const string OneEmbedder = "paft train --zopo uses one embedding model";

            TrainCommandConfig flags = stream.Read(parseResult, new TrainCommandConfig
            {
                Model = Text(model),
                TemplateId = Text(templateId),
                TopAccuracy = Flag(topAccuracy),
                Zopo = Flag(zopo),
                ZopoBudget = parseResult.GetValue(zopoBudget),
                Batprompt = Flag(batprompt),
                Validation = Text(validation),
                Endpoint = Once(llm.Endpoints),
                LlmModel = Once(llm.Models),
                Kind = Once(llm.Kinds),
                ApiKeyEnv = Once(llm.ApiKeyEnvironmentVariables),
                BatpromptRounds = parseResult.GetValue(batpromptRounds),
                BatpromptRewrite = Text(batpromptRewrite),
                EmbeddingEndpoint = Once(embedding.Endpoints, OneEmbedder),
                EmbeddingModel = Once(embedding.Models, OneEmbedder),
                EmbeddingKind = Once(embedding.Kinds, OneEmbedder),
                EmbeddingApiKeyEnv = Once(embedding.ApiKeyEnvironmentVariables, OneEmbedder),
                Timeout = parseResult.GetValue(timeout),
                CheckpointDir = Text(checkpointDir),
                CheckpointEvery = parseResult.GetValue(checkpointEvery),
                Resume = Flag(resume),
                Dtype = Text(dtype),
                GradientCheckpointing = Flag(gradientCheckpointing),
                Mode = Text(mode),
                Out = Text(output),
            });
            string? configPath = Text(config);
            PaftProjectFile? project = null;
            TrainCommandConfig settings = (configPath is null ? new TrainCommandConfig() : PaftProjectFile.LoadSettings(configPath, out project))
                .OverriddenBy(flags)
                .WithDefaults();
            if (parseResult.GetValue(printConfig))
            {
                stdout.WriteLine(settings.ToJson());
                return CommandExit.Success;
            }
            settings.Validate();
            using CancelKeyScope cancel = CancelKeyScope.Start(CancellationToken.None, stderr);
            return PaftProjectFile.RunAndRecord(project, settings, stdout,
                () => TrainCommandRunner.Run(settings, stdout, stderr, cancel.Token, force: parseResult.GetValue(force)));
        }));
        return command;
    }
}
