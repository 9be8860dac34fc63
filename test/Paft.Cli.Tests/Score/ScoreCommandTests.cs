using System.Globalization;
using Paft.Cli.Tests.Prompts;
using Paft.Llama.Checkpoints;
using Paft.Tests.Common;
using static TorchSharp.torch;

namespace Paft.Cli.Tests.Score;

public sealed class ScoreCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string TinyLlama3 => SharedData.Path("fixtures", "llama", "tiny-llama3-bf16");

    private static (long[] Ids, float[,] Logits) ReadReference(string file, int? row)
    {
        using SafetensorsFile reference = SafetensorsFile.Open(file);
        using Tensor ids = reference.Read("input_ids");
        using Tensor logits = reference.Read("logits", ScalarType.Float32);
        using Tensor idsRow = row is int r ? ids[r] : ids.alias();
        using Tensor logitsRow = row is int r2 ? logits[r2] : logits.alias();
        long[] idValues = idsRow.data<long>().ToArray();
        long length = logitsRow.shape[0], vocab = logitsRow.shape[1];
        float[] flat = logitsRow.contiguous().data<float>().ToArray();
        var matrix = new float[length, vocab];
        Buffer.BlockCopy(flat, 0, matrix, 0, flat.Length * sizeof(float));
        return (idValues, matrix);
    }

    /// <summary>Σ_{t≥1} log softmax(logits[t-1])[ids[t]], by hand in double precision.</summary>
    private static double LogLikelihoodByHand(float[,] logits, long[] ids)
    {
        double total = 0;
        for (int t = 1; t < ids.Length; t++)
        {
            double max = double.NegativeInfinity;
            for (int v = 0; v < logits.GetLength(1); v++) max = Math.Max(max, logits[t - 1, v]);
            double sum = 0;
            for (int v = 0; v < logits.GetLength(1); v++) sum += Math.Exp(logits[t - 1, v] - max);
            total += logits[t - 1, ids[t]] - max - Math.Log(sum);
        }
        return total;
    }

    private static float[,] ReadLogits(string file, string name, int expectedVocab)
    {
        using SafetensorsFile written = SafetensorsFile.Open(file);
        Assert.Equal("F32", written.Info(name).DType);
        using Tensor logits = written.Read(name);
        Assert.Equal(expectedVocab, logits.shape[1]);
        float[] flat = logits.data<float>().ToArray();
        var matrix = new float[logits.shape[0], logits.shape[1]];
        Buffer.BlockCopy(flat, 0, matrix, 0, flat.Length * sizeof(float));
        return matrix;
    }

    private static void AssertClose(float[,] expected, float[,] actual, double tolerance)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        double worst = 0;
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                worst = Math.Max(worst, Math.Abs(expected[i, j] - actual[i, j]));
        Assert.True(worst <= tolerance, $"largest logit difference {worst} exceeds {tolerance}");
    }

    /// <summary>The data rows of the printed table: line, tokens, log-likelihood, perplexity.</summary>
    private static List<(int Line, int Tokens, double LogLikelihood, double Perplexity)> ParseTable(string output)
    {
        string[] lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("line\ttokens\tlog_likelihood\tperplexity", lines[0]);
        return lines.Skip(1).Select(l => l.Split('\t')).Select(c => (
            int.Parse(c[0], CultureInfo.InvariantCulture), int.Parse(c[1], CultureInfo.InvariantCulture),
            double.Parse(c[2], CultureInfo.InvariantCulture), double.Parse(c[3], CultureInfo.InvariantCulture))).ToList();
    }

    [SharedFact]
    public void Logits_and_log_likelihood_match_the_reference()
    {
        (long[] ids, float[,] expected) = ReadReference(Path.Combine(TinyLlama3, "expected.safetensors"), row: 0);
        string idsFile = _temp.File("ids.txt");
        File.WriteAllText(idsFile, string.Join(' ', ids) + "\n");
        string logitsFile = _temp.File("logits.safetensors");

        CliRunner.Result result = CliRunner.Run("score", "--model", TinyLlama3, "--token-ids", idsFile, "--logits-out", logitsFile);

        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        AssertClose(expected, ReadLogits(logitsFile, "logits.0", expected.GetLength(1)), 1e-4);
        var row = Assert.Single(ParseTable(result.Output));
        Assert.Equal((1, ids.Length), (row.Line, row.Tokens));
        double byHand = LogLikelihoodByHand(expected, ids);
        Assert.True(byHand < 0);
        Assert.Equal(byHand, row.LogLikelihood, 1e-3);
        Assert.Equal(Math.Exp(-byHand / (ids.Length - 1)), row.Perplexity, row.Perplexity * 1e-3);
        // Written atomically: no temporary file left beside the output.
        Assert.Equal(["ids.txt", "logits.safetensors"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName).Order());
    }

    [SharedFact]
    public void Adapter_is_applied_when_scoring()
    {
        string adapter = SharedData.Path("fixtures", "lora", "tiny-llama3-bf16-adapter");
        (long[] ids, float[,] expected) = ReadReference(Path.Combine(adapter, "expected.safetensors"), row: null);
        string idsFile = _temp.File("ids.txt");
        File.WriteAllText(idsFile, string.Join(' ', ids));
        string logitsFile = _temp.File("logits.safetensors");

        CliRunner.Result result = CliRunner.Run("score", "--model", TinyLlama3, "--adapter", adapter, "--token-ids", idsFile, "--logits-out", logitsFile);

        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        AssertClose(expected, ReadLogits(logitsFile, "logits.0", expected.GetLength(1)), 1e-4);
        Assert.Equal(LogLikelihoodByHand(expected, ids), Assert.Single(ParseTable(result.Output)).LogLikelihood, 1e-3);
    }

    [SharedFact]
    public void Each_line_is_scored_on_its_own_and_gets_its_own_logits_tensor()
    {
        (long[] ids, _) = ReadReference(Path.Combine(TinyLlama3, "expected.safetensors"), row: 0);
        string idsFile = _temp.File("ids.txt");
        // Line 2 is a prefix of line 1: causal attention gives it the first 5 rows of line 1's logits.
        File.WriteAllLines(idsFile, [string.Join(' ', ids), string.Join("  ", ids.Take(5)), ids[0].ToString(CultureInfo.InvariantCulture)]);
        string logitsFile = _temp.File("logits.safetensors");

        CliRunner.Result result = CliRunner.Run("score", "--model", TinyLlama3, "--token-ids", idsFile, "--logits-out", logitsFile);

        Assert.Equal(0, result.ExitCode);
        var rows = ParseTable(result.Output);
        Assert.Equal([(1, ids.Length), (2, 5), (3, 1)], rows.Select(r => (r.Line, r.Tokens)));
        float[,] full = ReadLogits(logitsFile, "logits.0", 320), prefix = ReadLogits(logitsFile, "logits.1", 320), single = ReadLogits(logitsFile, "logits.2", 320);
        Assert.Equal((5, 1), (prefix.GetLength(0), single.GetLength(0)));
        var fullHead = new float[5, 320];
        Array.Copy(full, fullHead, 5 * 320);
        AssertClose(fullHead, prefix, 1e-5);
        Assert.Equal(LogLikelihoodByHand(prefix, ids[..5]), rows[1].LogLikelihood, 1e-6);
        // One token: nothing is predicted, so the sum is empty and the perplexity undefined.
        Assert.Equal(0, rows[2].LogLikelihood);
        Assert.True(double.IsNaN(rows[2].Perplexity));
    }

    public static TheoryData<string, string> MalformedFiles() => new()
    {
        { "1 2 3\n4 five 6\n", "line 2: 'five' (value 2) is not a token id" },
        { "1 2 3\n\n4 5\n", "line 2 is blank" },
        { "1 2 3\n4 320\n", "line 2: token id 320 (value 2) is outside the model's vocabulary of 320" },
        { "1 2 3\n4 -1\n", "line 2: '-1' (value 2) is not a token id" },
        { "", "is empty" },
    };

    [SharedTheory]
    [MemberData(nameof(MalformedFiles))]
    public void Malformed_ids_file_names_the_file_and_line(string content, string message)
    {
        string idsFile = _temp.File("bad.txt");
        File.WriteAllText(idsFile, content);
        string logitsFile = _temp.File("logits.safetensors");

        CliRunner.Result result = CliRunner.Run("score", "--model", TinyLlama3, "--token-ids", idsFile, "--logits-out", logitsFile);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.StartsWith($"error: '{idsFile}'", result.Error);
        Assert.Contains(message, result.Error);
        Assert.Single(result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(logitsFile));
    }

    [Fact]
    public void Missing_files_and_folders_are_named()
    {
        string missingIds = _temp.File("none.txt");
        string missingModel = _temp.File("no-model");
        File.WriteAllText(_temp.File("ids.txt"), "1 2");

        CliRunner.Result noIds = CliRunner.Run("score", "--model", _temp.Path, "--token-ids", missingIds);
        Assert.Equal(2, noIds.ExitCode);
        Assert.Contains($"token ids file '{missingIds}' does not exist", noIds.Error);

        CliRunner.Result noModel = CliRunner.Run("score", "--model", missingModel, "--token-ids", _temp.File("ids.txt"));
        Assert.Equal(2, noModel.ExitCode);
        Assert.Contains($"model folder '{missingModel}' does not exist", noModel.Error);
    }
}
