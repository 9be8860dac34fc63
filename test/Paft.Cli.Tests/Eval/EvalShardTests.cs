using System.Text.Json;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Eval;

/// <summary><c>paft eval --shard i/N</c> on disjoint blocks of the test templates, and <c>--merge</c> back into the unsharded file.</summary>
public sealed class EvalShardTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private CliRunner.Result Eval(string pool, string output, params string[] extra) =>
        CliRunner.Run(["eval", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "5", "--out", output, .. extra]);

    private static string[] TemplateIds(string path) =>
        JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("templates").EnumerateArray()
            .Select(t => t.GetProperty("id").GetString()!).ToArray();

    [SharedTheory]
    [InlineData(2)]
    [InlineData(3)]
    public void NShards_CoverTheTemplatesOnce_AndMergeIntoTheUnshardedFileByteForByte(int shards)
    {
        string pool = _data.WritePool();
        string unsharded = _data.PathOf("full.json");
        CliRunner.Result full = Eval(pool, unsharded);
        Assert.True(full.ExitCode == 0, full.Error);

        var files = new List<string>();
        for (int i = 0; i < shards; i++)
        {
            string file = _data.PathOf($"shard-{i}.json");
            CliRunner.Result shard = Eval(pool, file, "--shard", $"{i}/{shards}");
            Assert.True(shard.ExitCode == 0, shard.Error);
            files.Add(file);
        }
        // Disjoint contiguous blocks, in pool order, that together are every template once.
        Assert.Equal(WorkflowTestData.PoolIds, files.SelectMany(TemplateIds).ToArray());
        Assert.All(files, f => Assert.NotEmpty(TemplateIds(f)));

        string merged = _data.PathOf("merged.json");
        files.Reverse(); // the order of the files given does not matter
        CliRunner.Result merge = CliRunner.Run(["eval", "--merge", .. files, "--out", merged]);

        Assert.True(merge.ExitCode == 0, merge.Error);
        Assert.Equal(File.ReadAllText(unsharded), File.ReadAllText(merged));

        // One representation of the rows' predictions: the evaluation JSON's labels and predicted, with the option
        // probabilities beside them; no second copy.
        foreach (string file in files)
        {
            JsonElement root = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
            Assert.False(root.TryGetProperty("predictions", out _));
            Assert.Equal(2, root.GetProperty("shard").GetProperty("format").GetInt32());
            int rows = root.GetProperty("labels").GetArrayLength();
            Assert.All(root.GetProperty("templates").EnumerateArray(), t =>
            {
                Assert.Equal(rows, t.GetProperty("predicted").GetArrayLength());
                Assert.Equal(rows, t.GetProperty("probabilities").GetArrayLength());
            });
        }
    }

    /// <summary>Generated answers (<c>--mode generate</c>): the merged file names the answer extractor, as the unsharded one does.</summary>
    [SharedFact]
    public void GeneratedAnswerShards_MergeIntoTheUnshardedFile_WithTheirExtractor()
    {
        string pool = _data.WritePool();
        string unsharded = _data.PathOf("full.json");
        CliRunner.Result full = Eval(pool, unsharded, "--mode", "generate");
        Assert.True(full.ExitCode == 0, full.Error);
        Assert.True(JsonDocument.Parse(File.ReadAllText(unsharded)).RootElement.TryGetProperty("extractor", out _));
        string[] files = [_data.PathOf("shard-0.json"), _data.PathOf("shard-1.json")];
        for (int i = 0; i < files.Length; i++)
            Assert.Equal(0, Eval(pool, files[i], "--mode", "generate", "--shard", $"{i}/2").ExitCode);

        string merged = _data.PathOf("merged.json");
        CliRunner.Result merge = CliRunner.Run(["eval", "--merge", .. files, "--out", merged]);

        Assert.True(merge.ExitCode == 0, merge.Error);
        Assert.Equal(File.ReadAllText(unsharded), File.ReadAllText(merged));
    }

    /// <summary>
    /// A shard file of format 1 (paft before the one representation: its rows repeated in a <c>predictions</c> array, no
    /// <c>format</c>) still merges into the unsharded file.
    /// </summary>
    [SharedFact]
    public void ShardsOfFormatOne_StillMergeIntoTheUnshardedFile()
    {
        string pool = _data.WritePool();
        string unsharded = _data.PathOf("full.json");
        Assert.Equal(0, Eval(pool, unsharded).ExitCode);
        var files = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            string file = _data.PathOf($"shard-{i}.json");
            Assert.Equal(0, Eval(pool, file, "--shard", $"{i}/2").ExitCode);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            // Rewritten as format 1 wrote it: per template an id and examples of label, predicted and probabilities.
            var labels = json["labels"]!.AsArray();
            var predictions = new System.Text.Json.Nodes.JsonArray();
            foreach (var node in json["templates"]!.AsArray())
            {
                var template = node!.AsObject();
                var examples = new System.Text.Json.Nodes.JsonArray();
                for (int r = 0; r < labels.Count; r++)
                    examples.Add(new System.Text.Json.Nodes.JsonObject
                    {
                        ["label"] = labels[r]!.GetValue<int>(),
                        ["predicted"] = template["predicted"]![r]!.GetValue<int>(),
                        ["probabilities"] = template["probabilities"]![r]!.DeepClone(),
                    });
                template.Remove("probabilities");
                predictions.Add(new System.Text.Json.Nodes.JsonObject { ["id"] = template["id"]!.GetValue<string>(), ["examples"] = examples });
            }
            json["predictions"] = predictions;
            json["shard"]!.AsObject().Remove("format");
            File.WriteAllText(file, json.ToJsonString());
            files.Add(file);
        }

        string merged = _data.PathOf("merged.json");
        CliRunner.Result merge = CliRunner.Run(["eval", "--merge", .. files, "--out", merged]);

        Assert.True(merge.ExitCode == 0, merge.Error);
        Assert.Equal(File.ReadAllText(unsharded), File.ReadAllText(merged));
    }

    [SharedFact]
    public void AMissingShard_IsAOneLineError_NamingIt()
    {
        string pool = _data.WritePool();
        string first = _data.PathOf("shard-0.json");
        Assert.Equal(0, Eval(pool, first, "--shard", "0/2").ExitCode);

        CliRunner.Result merge = CliRunner.Run("eval", "--merge", first, "--out", _data.PathOf("merged.json"));

        Assert.Equal(2, merge.ExitCode);
        Assert.Contains("shard 1/2 is missing", merge.Error);
        Assert.False(File.Exists(_data.PathOf("merged.json")));
    }

    [Theory]
    [InlineData("2/2", "needs N >= 1 and 0 <= i < N")]
    [InlineData("1", "is not i/N")]
    public void AMalformedShard_IsAOneLineError(string shard, string message)
    {
        CliRunner.Result eval = Eval("pool.jsonl", _data.PathOf("x.json"), "--shard", shard);
        Assert.Equal(2, eval.ExitCode);
        Assert.Contains(message, eval.Error);
    }
}
