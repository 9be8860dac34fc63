using Paft.Llama.Inference;
using Paft.Llama.Modeling;
using Paft.Tests.Common;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Inference;

public class LlamaGeneratorTests
{
    [SharedTheory]
    [InlineData("tiny-llama3-bf16")]
    [InlineData("tiny-llama2-sharded")]
    public void GreedyWithCacheReproducesReference(string name)
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model(name));
        var expected = Fixtures.Expected(name);
        var row0 = expected["input_ids"][0].data<long>().Select(i => (int)i).ToList();
        var greedy = expected["greedy_ids"].data<long>().Select(i => (int)i).ToList();

        var generated = new LlamaGenerator(model).Generate(row0, new GenerationOptions { MaxNewTokens = greedy.Count });
        Assert.Equal(greedy, generated);
    }

    [SharedTheory]
    [InlineData("tiny-llama3-bf16")]
    [InlineData("tiny-llama2-sharded")]
    public void LeftPaddedBatchGeneratesWhatEachRowGeneratesAlone(string name)
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model(name));
        var expected = Fixtures.Expected(name);
        var ids = expected["input_ids"];
        var mask = expected["attention_mask"];
        var rows = Enumerable.Range(0, 2).Select(r =>
            (IReadOnlyList<int>)ids[r].data<long>().Zip(mask[r].data<long>()).Where(p => p.Second == 1).Select(p => (int)p.First).ToList()).ToList();
        Assert.NotEqual(rows[0].Count, rows[1].Count);

        var generator = new LlamaGenerator(model);
        var options = new GenerationOptions { MaxNewTokens = 16 };
        var batch = generator.Generate(rows, options);
        Assert.Equal(expected["greedy_ids"].data<long>().Select(i => (int)i), batch[0]);
        Assert.Equal(generator.Generate(rows[1], options), batch[1]);
    }

    [SharedTheory]
    [InlineData("tiny-llama2-sharded")]
    [InlineData("tiny-llama2-vocab32k")]
    public void BatchOfPromptsOfDifferentLengthsStopsPerRowAndEqualsOneAtATimeInFp32(string name)
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model(name), ScalarType.Float32);
        int vocab = model.Config.VocabSize;
        var prompts = new[] { 3, 11, 6, 17, 1 }
            .Select((length, i) => (IReadOnlyList<int>)new[] { 1 }.Concat(RandomModels.Ids(length, vocab, seed: 40 + i)).ToList()).ToList();
        var generator = new LlamaGenerator(model);
        var free = new GenerationOptions { MaxNewTokens = 10 };
        var unstopped = prompts.Select(p => generator.Generate(p, free)).ToList();

        // Stop ids taken from what two rows generate alone, so those rows stop early (at different steps)
        // while the others run to the token limit: each row must stop on its own.
        var stop = new[] { unstopped[0][2], unstopped[3][5] };
        var options = free with { StopTokenIds = stop };
        var alone = prompts.Select(p => generator.Generate(p, options)).ToList();
        var batch = generator.Generate(prompts, options);

        Assert.Equal(alone.Count, batch.Count);
        for (int r = 0; r < prompts.Count; r++)
            Assert.Equal(alone[r], batch[r]);
        Assert.True(alone[0].Count <= 2 && alone[3].Count <= 5, "rows 0 and 3 stop at their stop ids");
        Assert.Contains(alone, row => row.Count == free.MaxNewTokens);
        Assert.All(alone, row => Assert.DoesNotContain(row, id => stop.Contains(id)));
    }

    [SharedFact]
    public void Stories260KGreedyMatchesRunC()
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model("stories260K"));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Model("stories260K"), "expected.json")));
        var prompt = doc.RootElement.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToList();
        var expected = doc.RootElement.GetProperty("greedy_ids").EnumerateArray().Select(e => e.GetInt32()).ToList();

        var generated = new LlamaGenerator(model).Generate(prompt, new GenerationOptions { MaxNewTokens = expected.Count });
        Assert.Equal(expected, generated);
    }

    [Fact]
    public void CachedDecodingEqualsFullRecomputation()
    {
        using var model = RandomModels.Create();
        var ids = RandomModels.Ids(10, 97, seed: 11).Select(i => (long)i).ToArray();
        using var input = tensor(ids, [1, 10], ScalarType.Int64);
        using var noGrad = no_grad();
        using var full = model.forward(input);

        // Prefill 4 tokens, then chunks of 3, 1 and 2 (several new tokens attend to the cache through an
        // offset causal mask; the buffers grow along the way).
        using var cache = new KvCache();
        int start = 0;
        foreach (int chunk in new[] { 4, 3, 1, 2 })
        {
            using var step = model.forward(input.narrow(1, start, chunk), null, cache);
            double diff = Fixtures.MaxAbsDiff(step, full.narrow(1, start, chunk));
            Assert.True(diff < 1e-5, $"positions {start}..{start + chunk - 1}: max |diff| {diff}");
            start += chunk;
        }
        Assert.Equal(10, cache.Length);
    }

    [Fact]
    public void PaddedBatchEqualsRowsRunOneByOne()
    {
        using var model = RandomModels.Create();
        int[][] rows = [RandomModels.Ids(7, 97, 1), RandomModels.Ids(3, 97, 2), RandomModels.Ids(5, 97, 3)];
        var ids = new long[3 * 7];
        var mask = new long[3 * 7];
        for (int r = 0; r < 3; r++)
        for (int j = 0; j < rows[r].Length; j++)
        {
            ids[r * 7 + 7 - rows[r].Length + j] = rows[r][j];
            mask[r * 7 + 7 - rows[r].Length + j] = 1;
        }
        using var noGrad = no_grad();
        using var batch = model.forward(tensor(ids, [3, 7], ScalarType.Int64), tensor(mask, [3, 7], ScalarType.Int64));
        Assert.False(batch.isnan().any().item<bool>());
        for (int r = 0; r < 3; r++)
        {
            using var alone = model.forward(tensor(rows[r].Select(i => (long)i).ToArray(), [1, rows[r].Length], ScalarType.Int64));
            using var real = batch[r].narrow(0, 7 - rows[r].Length, rows[r].Length);
            double diff = Fixtures.MaxAbsDiff(real, alone[0]);
            Assert.True(diff < 1e-5, $"row {r}: max |diff| {diff}");
        }
    }

    [Fact]
    public void GreedyGenerationEqualsArgmaxOfFullForwards()
    {
        using var model = RandomModels.Create();
        var sequence = RandomModels.Ids(3, 97, seed: 5).ToList();
        var generated = new LlamaGenerator(model).Generate(sequence.ToList(), new GenerationOptions { MaxNewTokens = 8 });

        using var noGrad = no_grad();
        for (int step = 0; step < 8; step++)
        {
            using var logits = model.forward(tensor(sequence.Select(i => (long)i).ToArray(), [1, sequence.Count], ScalarType.Int64));
            sequence.Add((int)logits[0, -1].argmax().item<long>());
        }
        Assert.Equal(sequence.Skip(3), generated);
    }

    [Fact]
    public void StopsBeforeTheFirstStopToken()
    {
        using var model = RandomModels.Create();
        var generator = new LlamaGenerator(model);
        var prompt = RandomModels.Ids(4, 97, seed: 9);
        var free = generator.Generate(prompt, new GenerationOptions { MaxNewTokens = 12 });
        int stop = free[5];
        var stopped = generator.Generate(prompt, new GenerationOptions { MaxNewTokens = 12, StopTokenIds = [stop] });
        Assert.Equal(free.TakeWhile(t => t != stop), stopped);
        Assert.True(stopped.Count <= 5);
    }

    [Fact]
    public void SamplingIsDeterministicPerSeed()
    {
        using var model = RandomModels.Create(std: 0.05);   // flat distributions: seeds matter
        var generator = new LlamaGenerator(model);
        var prompt = RandomModels.Ids(4, 97, seed: 9);
        GenerationOptions Options(ulong seed) => new() { MaxNewTokens = 20, Temperature = 1.0, Seed = seed };
        var a = generator.Generate(prompt, Options(1));
        var b = generator.Generate(prompt, Options(1));
        var c = generator.Generate(prompt, Options(2));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(20, a.Count);
    }

    [Fact]
    public void TinyTopPIsGreedy()
    {
        using var model = RandomModels.Create(std: 0.05);
        var generator = new LlamaGenerator(model);
        var prompt = RandomModels.Ids(4, 97, seed: 9);
        var greedy = generator.Generate(prompt, new GenerationOptions { MaxNewTokens = 10 });
        var nucleus = generator.Generate(prompt, new GenerationOptions { MaxNewTokens = 10, Temperature = 1.0, TopP = 1e-6, Seed = 3 });
        Assert.Equal(greedy, nucleus);
    }

    [Fact]
    public void TopPSamplesOnlyInsideTheNucleus()
    {
        // probabilities 0.5, 0.3, 0.15, 0.05: top_p 0.7 keeps the first two only.
        var options = new GenerationOptions { Temperature = 1.0, TopP = 0.7, Seed = 4 };
        using var sampler = new TokenSampler(options, CPU);
        using var logits = tensor(new[] { 0.15f, 0.5f, 0.05f, 0.3f }).log().unsqueeze(0).expand(2000, 4).contiguous();
        using var drawn = sampler.Next(logits);
        var counts = drawn.bincount(null, 4).data<long>().ToArray();
        Assert.Equal(0, counts[0]);
        Assert.Equal(0, counts[2]);
        // Renormalised 0.5 : 0.3 → 62.5% token 1.
        Assert.InRange(counts[1] / 2000.0, 0.58, 0.67);
    }

    [Fact]
    public void OutOfVocabularyPromptIsNamed()
    {
        using var model = RandomModels.Create();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LlamaGenerator(model).Generate([1, 500], new GenerationOptions { MaxNewTokens = 1 }));
        Assert.Contains("id 500", e.Message);
    }
}
