using System.Globalization;
using System.Text;
using System.Text.Json;
using Paft.MLNet;
using Paft.Llama;
using Paft.MLNet.Prompts;
using Paft.MLNet.Training;

namespace Paft.Cli.Export;

/// <summary>
/// The stream as a LLaMA-Factory dataset (the PAFT authors' trainer), in <c>llama_factory/</c>: the rows in the
/// alpaca format (<c>instruction</c> = the rendered prompt, <c>input</c> empty, <c>output</c> = the completion),
/// its <c>dataset_info.json</c> entry, and a LoRA SFT training YAML with the run's LoRA, schedule, batch and length.
/// Every epoch is in the one data file in training order, so the YAML trains one epoch over it with
/// <c>disable_shuffling: true</c>.
/// </summary>
internal static class LlamaFactoryExport
{
    public const string Folder = "llama_factory";
    public const string DatasetName = "paft_train";
    public const string DataFile = "paft_train.json";
    public const string DatasetInfoFile = "dataset_info.json";
    public const string TrainingYamlFile = "paft_lora_sft.yaml";

    public static void Write(string outFolder, IReadOnlyList<ExportedRow> rows, PaftTrainerOptions options, string? model)
    {
        string folder = Path.Combine(outFolder, Folder);
        var indented = new JsonWriterOptions { Indented = true };
        AtomicFile.Write(Path.Combine(folder, DataFile), stream =>
        {
            using var json = new Utf8JsonWriter(stream, indented);
            json.WriteStartArray();
            foreach (ExportedRow r in rows)
            {
                json.WriteStartObject();
                json.WriteString("instruction", r.Prompt);
                json.WriteString("input", "");
                json.WriteString("output", r.Completion);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
        AtomicFile.Write(Path.Combine(folder, DatasetInfoFile), stream =>
        {
            using var json = new Utf8JsonWriter(stream, indented);
            json.WriteStartObject();
            json.WriteStartObject(DatasetName);
            json.WriteString("file_name", DataFile);
            json.WriteString("formatting", "alpaca");
            json.WriteStartObject("columns");
            json.WriteString("prompt", "instruction");
            json.WriteString("query", "input");
            json.WriteString("response", "output");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        });
        byte[] yaml = new UTF8Encoding(false).GetBytes(TrainingYaml(options, model, Path.GetFullPath(folder)));
        AtomicFile.Write(Path.Combine(folder, TrainingYamlFile), stream => stream.Write(yaml));
    }

    /// <summary>LLaMA-Factory's training arguments for the same run: LoRA, optimizer schedule, batch, length, seed.</summary>
    public static string TrainingYaml(PaftTrainerOptions o, string? model, string datasetFolder)
    {
        string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        Line("# Written by `paft export`: LoRA SFT on PAFT's training stream, every epoch in the data file in training order.");
        Line($"# The file holds {o.Epochs} epoch(s) of template draws (K = {o.RedrawEverySteps} optimizer steps per draw), so LLaMA-Factory");
        Line("# trains one pass over it, unshuffled. Keep per_device_train_batch_size x devices x gradient_accumulation_steps");
        Line($"# at {o.BatchSize * o.GradientAccumulationSteps} rows a step so that each draw still covers K whole steps.");
        Line("### model");
        Line($"model_name_or_path: {Quoted(model ?? "PATH_OR_HUB_ID_OF_THE_BASE_MODEL")}");
        Line("### method");
        Line("stage: sft");
        Line("do_train: true");
        Line("finetuning_type: lora");
        Line($"lora_rank: {o.Lora.Rank}");
        Line($"lora_alpha: {F(o.Lora.Alpha)}");
        Line($"lora_dropout: {F(o.Lora.Dropout)}");
        Line($"lora_target: {string.Join(",", o.Lora.TargetModules)}");
        Line("### dataset");
        Line($"dataset: {DatasetName}");
        Line($"dataset_dir: {Quoted(datasetFolder)}");
        Line("template: empty");
        Line($"cutoff_len: {o.MaxLength}");
        Line("disable_shuffling: true");
        Line("### train");
        Line($"per_device_train_batch_size: {o.BatchSize}");
        Line($"gradient_accumulation_steps: {o.GradientAccumulationSteps}");
        Line($"learning_rate: {F(o.LearningRate)}");
        Line("num_train_epochs: 1.0");
        Line("lr_scheduler_type: cosine");
        Line($"warmup_ratio: {F(o.WarmupRatio)}");
        Line($"weight_decay: {F(o.WeightDecay)}");
        Line($"max_grad_norm: {F(o.MaxGradientNorm)}");
        Line($"seed: {o.Seed}");
        Line("### output");
        Line("output_dir: saves/paft-lora");
        Line("logging_steps: 1");
        return text.ToString();
    }

    // A YAML double-quoted scalar: JSON's string escapes are valid in it.
    private static string Quoted(string value) => JsonSerializer.Serialize(value);
}
