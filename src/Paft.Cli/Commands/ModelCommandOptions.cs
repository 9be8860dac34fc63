using System.CommandLine;
using Paft.Cli.Terminal;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using static TorchSharp.torch;

namespace Paft.Cli.Commands;

/// <summary>
/// What the commands that run a model (<c>generate</c>, <c>score</c>, <c>lora merge</c>) share: the
/// <c>--model</c>, <c>--adapter</c> and <c>--dtype</c> options, loading the model they name, and turning
/// the errors bad input causes into one line on standard error with exit code <see cref="BadInput"/>.
/// </summary>
internal static class ModelCommandOptions
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code when the input cannot be used (missing or malformed file, bad argument).</summary>
    public const int BadInput = 2;

    public static Option<string> Model() => new("--model")
    {
        Description = "The Hugging Face model folder (config.json and model.safetensors or a sharded index).",
        Required = true,
    };

    public static Option<string?> Adapter() => new("--adapter")
    {
        Description = "A PEFT LoRA adapter folder (adapter_config.json, adapter_model.safetensors) to apply to the model.",
    };

    public static Option<string> DType(string description) => new Option<string>("--dtype")
    {
        Description = description,
        DefaultValueFactory = _ => "fp32",
    }.AcceptOnlyFromAmong("fp32", "bf16");

    /// <summary>The TorchSharp dtype an accepted <c>--dtype</c> value names.</summary>
    public static ScalarType ToScalarType(string dtype) => dtype switch
    {
        "fp32" => ScalarType.Float32,
        "bf16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"--dtype '{dtype}' is not one of fp32, bf16."),
    };

    /// <summary>
    /// Loads the model in <paramref name="modelDir"/> in <paramref name="dtype"/> and, when
    /// <paramref name="adapterDir"/> is given, applies that adapter (unmerged: the base weights stay as loaded).
    /// </summary>
    public static LlamaForCausalLM Load(string modelDir, ScalarType dtype, string? adapterDir)
    {
        if (!Directory.Exists(modelDir))
            throw new DirectoryNotFoundException($"model folder '{modelDir}' does not exist.");
        if (adapterDir is not null && !Directory.Exists(adapterDir))
            throw new DirectoryNotFoundException($"adapter folder '{adapterDir}' does not exist.");
        LlamaForCausalLM model = LlamaForCausalLM.FromPretrained(modelDir, dtype);
        if (adapterDir is null)
            return model;
        try
        {
            PeftAdapter.Load(model, adapterDir);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Parses a sequence of token ids written as decimal numbers separated by white space, each below
    /// <paramref name="vocabSize"/>. <paramref name="where"/> says where the text came from, for the error.
    /// </summary>
    /// <exception cref="InvalidDataException">A value is not a number or not a token id of the model.</exception>
    public static int[] ParseIds(string text, int vocabSize, string where)
    {
        string[] parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            throw new InvalidDataException($"{where}: no token ids (expected numbers separated by spaces).");
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id))
                throw new InvalidDataException($"{where}: '{parts[i]}' (value {i + 1}) is not a token id (a whole number from 0).");
            if (id >= vocabSize)
                throw new InvalidDataException($"{where}: token id {id} (value {i + 1}) is outside the model's vocabulary of {vocabSize}.");
            ids[i] = id;
        }
        return ids;
    }

    /// <summary>
    /// Runs a command body, turning the errors bad input causes (missing folder or file, malformed file,
    /// bad argument, unsupported content) into one line on standard error and <see cref="BadInput"/>.
    /// </summary>
    public static int Run(ParseResult parseResult, Func<TextWriter, int> body) =>
        CommandExit.Run(parseResult, (output, _) => body(output));
}
