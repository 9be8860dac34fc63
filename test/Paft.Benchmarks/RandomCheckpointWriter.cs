using System.Text.Json;
using System.Text.Json.Nodes;
using Paft.Llama.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>
/// Writes a checkpoint shaped like Llama-3.2-1B or Llama-3-8B with random bf16 weights, in Hugging Face
/// layout (<c>config.json</c>, safetensors shards of at most 5 GB with <c>model.safetensors.index.json</c>,
/// and the Llama 3 tokenizer of ../shared copied at run time), for the scale benchmarks of
/// docs/benchmarks.md. Nothing it writes belongs in the repository: give it a folder outside it.
/// </summary>
/// <remarks>
/// Every tensor is drawn, written and freed in turn, so writing the 16 GB 8B checkpoint needs about one
/// tensor's memory (the 8B embedding, 1 GB), not the checkpoint's. Weights are normal(0, 0.02) and norms
/// one, as Hugging Face initialises a fresh model; the generator is seeded, so the bytes are reproducible.
/// </remarks>
internal static class RandomCheckpointWriter
{
    private const long ShardBytes = 5L * 1000 * 1000 * 1000;
    private const string TokenizerFixture = "fixtures/llama/tiny-llama3-vocab128k";

    public static int Run(string[] args)
    {
        if (args.Length != 2 || args[0] is not ("1b" or "8b"))
        {
            Console.Error.WriteLine("usage: random-checkpoint 1b|8b OUTPUT_FOLDER   (a folder outside the repository)");
            return 2;
        }
        string output = Path.GetFullPath(args[1]);
        JsonObject config = args[0] == "1b" ? Llama32OneB() : Llama3EightB();
        Directory.CreateDirectory(output);

        var tensors = Shapes(config).ToList();
        var shards = Shard(tensors);
        var weightMap = new JsonObject();
        using var generator = new Generator(seed: 0);
        long total = 0;
        for (int s = 0; s < shards.Count; s++)
        {
            string file = shards.Count == 1 ? "model.safetensors" : $"model-{s + 1:D5}-of-{shards.Count:D5}.safetensors";
            WriteShard(Path.Combine(output, file), shards[s], generator);
            foreach (var (name, _) in shards[s]) weightMap[name] = file;
            total += shards[s].Sum(t => Bytes(t.Shape));
            Console.WriteLine($"wrote {file} ({shards[s].Sum(t => Bytes(t.Shape)) / 1e9:F2} GB)");
        }
        if (shards.Count > 1)
        {
            var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
            File.WriteAllText(Path.Combine(output, "model.safetensors.index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        File.WriteAllText(Path.Combine(output, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        // The tokenizer is copied at run time from ../shared; it is never part of the repository.
        string tokenizer = Path.Combine(BenchmarkModels.SharedFolder(), TokenizerFixture);
        foreach (string name in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(tokenizer, name), Path.Combine(output, name), overwrite: true);
        Console.WriteLine($"{args[0]}-shaped checkpoint: {total} bytes of bf16 weights in {output}");
        return 0;
    }

    /// <summary>Llama-3.2-1B's published config.json (tied embeddings, llama3 rope scaling).</summary>
    private static JsonObject Llama32OneB() => new()
    {
        ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["model_type"] = "llama",
        ["hidden_act"] = "silu",
        ["vocab_size"] = 128256,
        ["hidden_size"] = 2048,
        ["intermediate_size"] = 8192,
        ["num_hidden_layers"] = 16,
        ["num_attention_heads"] = 32,
        ["num_key_value_heads"] = 8,
        ["head_dim"] = 64,
        ["rms_norm_eps"] = 1e-5,
        ["rope_theta"] = 500000.0,
        ["rope_scaling"] = new JsonObject
        {
            ["factor"] = 32.0,
            ["low_freq_factor"] = 1.0,
            ["high_freq_factor"] = 4.0,
            ["original_max_position_embeddings"] = 8192,
            ["rope_type"] = "llama3",
        },
        ["max_position_embeddings"] = 131072,
        ["tie_word_embeddings"] = true,
        ["bos_token_id"] = 128000,
        ["eos_token_id"] = 128001,
        ["torch_dtype"] = "bfloat16",
    };

    /// <summary>Meta-Llama-3-8B's published config.json (untied embeddings, no rope scaling).</summary>
    private static JsonObject Llama3EightB() => new()
    {
        ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["model_type"] = "llama",
        ["hidden_act"] = "silu",
        ["vocab_size"] = 128256,
        ["hidden_size"] = 4096,
        ["intermediate_size"] = 14336,
        ["num_hidden_layers"] = 32,
        ["num_attention_heads"] = 32,
        ["num_key_value_heads"] = 8,
        ["rms_norm_eps"] = 1e-5,
        ["rope_theta"] = 500000.0,
        ["max_position_embeddings"] = 8192,
        ["tie_word_embeddings"] = false,
        ["bos_token_id"] = 128000,
        ["eos_token_id"] = 128001,
        ["torch_dtype"] = "bfloat16",
    };

    /// <summary>The Hugging Face keys and shapes of a LLaMA with this config, in Hugging Face's order.</summary>
    private static IEnumerable<(string Name, long[] Shape)> Shapes(JsonObject c)
    {
        long vocab = (int)c["vocab_size"]!, hidden = (int)c["hidden_size"]!, mlp = (int)c["intermediate_size"]!;
        long heads = (int)c["num_attention_heads"]!, kvHeads = (int)c["num_key_value_heads"]!;
        long headDim = c["head_dim"] is { } d ? (int)d : hidden / heads;
        yield return ("model.embed_tokens.weight", [vocab, hidden]);
        for (int i = 0; i < (int)c["num_hidden_layers"]!; i++)
        {
            string p = $"model.layers.{i}.";
            yield return (p + "input_layernorm.weight", [hidden]);
            yield return (p + "self_attn.q_proj.weight", [heads * headDim, hidden]);
            yield return (p + "self_attn.k_proj.weight", [kvHeads * headDim, hidden]);
            yield return (p + "self_attn.v_proj.weight", [kvHeads * headDim, hidden]);
            yield return (p + "self_attn.o_proj.weight", [hidden, heads * headDim]);
            yield return (p + "post_attention_layernorm.weight", [hidden]);
            yield return (p + "mlp.gate_proj.weight", [mlp, hidden]);
            yield return (p + "mlp.up_proj.weight", [mlp, hidden]);
            yield return (p + "mlp.down_proj.weight", [hidden, mlp]);
        }
        yield return ("model.norm.weight", [hidden]);
        if (!(bool)c["tie_word_embeddings"]!)
            yield return ("lm_head.weight", [vocab, hidden]);
    }

    private static long Bytes(long[] shape) => shape.Aggregate(2L, (a, b) => a * b);

    private static List<List<(string Name, long[] Shape)>> Shard(List<(string Name, long[] Shape)> tensors)
    {
        var shards = new List<List<(string, long[])>> { new() };
        long size = 0;
        foreach (var t in tensors)
        {
            long bytes = Bytes(t.Shape);
            if (size > 0 && size + bytes > ShardBytes)
            {
                shards.Add(new());
                size = 0;
            }
            shards[^1].Add(t);
            size += bytes;
        }
        return shards;
    }

    /// <summary>Writes one shard: the header first (all shapes are known), then each tensor drawn and freed in turn.</summary>
    private static void WriteShard(string path, List<(string Name, long[] Shape)> tensors, Generator generator)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long bytes = Bytes(shape);
            header[name] = new JsonObject
            {
                ["dtype"] = SafetensorsDType.NameOf(ScalarType.BFloat16),
                ["shape"] = new JsonArray(shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        byte[] json = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        int padding = (8 - json.Length % 8) % 8;

        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            stream.Write(BitConverter.GetBytes((ulong)(json.Length + padding)));
            stream.Write(json);
            for (int i = 0; i < padding; i++) stream.WriteByte((byte)' ');
            foreach (var (name, shape) in tensors)
            {
                using var scope = NewDisposeScope();
                Tensor t = name.EndsWith("norm.weight", StringComparison.Ordinal)
                    ? ones(shape, ScalarType.BFloat16)
                    : empty(shape, ScalarType.Float32).normal_(0, 0.02, generator).to(ScalarType.BFloat16);
                Tensor flat = t.view(-1);
                long chunk = 1L << 28; // elements per write: Span's 2 GB limit
                for (long start = 0; start < flat.NumberOfElements; start += chunk)
                    stream.Write(flat.narrow(0, start, Math.Min(chunk, flat.NumberOfElements - start)).bytes);
            }
        }
        File.Move(temp, path, overwrite: true);
    }
}
