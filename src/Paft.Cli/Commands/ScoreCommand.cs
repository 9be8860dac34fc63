using System.CommandLine;
using System.Globalization;
using Paft.Llama.Checkpoints;
using Paft.Llama.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft score --model DIR --token-ids FILE [--logits-out FILE] [--adapter DIR] [--dtype fp32|bf16]</c>:
/// runs each line of FILE (one sequence of token ids) through the model and prints, as tab-separated
/// columns under a header, its line number, token count, total log-likelihood
/// (Σ_{t=1}^{n-1} log p(x_t | x_&lt;t), the first token being given) and perplexity (exp of minus the mean of
/// those n-1 terms; NaN for a one-token line, which has none). <c>--logits-out</c> writes the float32
/// logits of line i as the safetensors tensor <c>logits.i</c> (0-based) of shape [length, vocab].
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        Option<string> model = ModelCommandOptions.Model();
        Option<string> tokenIds = new("--token-ids")
        {
            Description = "A text file with one sequence of token ids a line, separated by spaces.",
            Required = true,
        };
        Option<string?> logitsOut = new("--logits-out") { Description = "A safetensors file to write the logits to: logits.0, logits.1, ... [length, vocab] float32." };
        Option<string?> adapter = ModelCommandOptions.Adapter();
        Option<string> dtype = ModelCommandOptions.DType("Compute dtype: fp32 (default) or bf16; logits are written as float32 either way.");
        var command = new Command("score", "Print the log-likelihood and perplexity of token sequences under a model.")
        {
            model, tokenIds, logitsOut, adapter, dtype,
        };
        command.SetAction(parseResult => ModelCommandOptions.Run(parseResult, output => Score(
            parseResult.GetValue(model)!, parseResult.GetValue(tokenIds)!, parseResult.GetValue(logitsOut),
            parseResult.GetValue(adapter), ModelCommandOptions.ToScalarType(parseResult.GetValue(dtype)!), output)));
        return command;
    }

    private static int Score(string modelDir, string idsFile, string? logitsOut, string? adapterDir, ScalarType dtype, TextWriter output)
    {
        if (!File.Exists(idsFile))
            throw new FileNotFoundException($"token ids file '{idsFile}' does not exist.", idsFile);
        using LlamaForCausalLM llama = ModelCommandOptions.Load(modelDir, dtype, adapterDir);
        IReadOnlyList<int[]> sequences = ReadSequences(idsFile, llama.Config.VocabSize);

        var logits = new List<KeyValuePair<string, Tensor>>();
        try
        {
            output.WriteLine("line\ttokens\tlog_likelihood\tperplexity");
            for (int i = 0; i < sequences.Count; i++)
            {
                Tensor sequenceLogits = Logits(llama, sequences[i]);
                double logLikelihood = LogLikelihood(sequenceLogits, sequences[i]);
                int predicted = sequences[i].Length - 1;
                double perplexity = predicted == 0 ? double.NaN : Math.Exp(-logLikelihood / predicted);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{i + 1}\t{sequences[i].Length}\t{logLikelihood:R}\t{perplexity:R}"));
                if (logitsOut is null)
                    sequenceLogits.Dispose();
                else
                    logits.Add(new($"logits.{i}", sequenceLogits));
            }
            if (logitsOut is not null)
                SafetensorsWriter.Write(logitsOut, logits, new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (var (_, tensor) in logits) tensor.Dispose();
        }
        return ModelCommandOptions.Success;
    }

    /// <summary>The float32 logits [length, vocab] of one sequence.</summary>
    private static Tensor Logits(LlamaForCausalLM llama, int[] ids)
    {
        using var noGrad = no_grad();
        using var input = tensor(ids.Select(id => (long)id).ToArray(), ScalarType.Int64, llama.Device).unsqueeze(0);
        using Tensor batch = llama.forward(input);
        return batch[0].to(ScalarType.Float32, CPU);
    }

    /// <summary>Σ_{t≥1} log softmax(logits[t-1])[ids[t]], computed in float64.</summary>
    internal static double LogLikelihood(Tensor logits, int[] ids)
    {
        if (ids.Length < 2)
            return 0;
        using var scope = NewDisposeScope();
        Tensor logProbs = logits.narrow(0, 0, ids.Length - 1).to(ScalarType.Float64).log_softmax(-1);
        Tensor targets = tensor(ids[1..].Select(id => (long)id).ToArray(), ScalarType.Int64).unsqueeze(1);
        return logProbs.gather(1, targets).sum().item<double>();
    }

    /// <summary>Reads one sequence of ids a line; every line must hold at least one id of the vocabulary.</summary>
    internal static IReadOnlyList<int[]> ReadSequences(string path, int vocabSize)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0)
            throw new InvalidDataException($"'{path}' is empty (expected one sequence of ids a line).");
        var sequences = new List<int[]>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            string where = $"'{path}' line {i + 1}";
            if (string.IsNullOrWhiteSpace(lines[i]))
                throw new InvalidDataException($"{where} is blank; every line must hold a sequence of token ids.");
            sequences.Add(ModelCommandOptions.ParseIds(lines[i], vocabSize, where));
        }
        return sequences;
    }
}
