using Paft.Llama.Modeling;
using static TorchSharp.torch;

namespace Paft.Llama.Tests;

/// <summary>Small randomly initialised models for tests that need no fixture.</summary>
internal static class RandomModels
{
    /// <summary>GQA (4 heads, 2 kv), explicit head_dim, llama3 rope scaling, untied: exercises every branch.</summary>
    public const string Gqa = """
        {"model_type":"llama","vocab_size":97,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,
         "num_attention_heads":4,"num_key_value_heads":2,"head_dim":12,"rms_norm_eps":1e-5,"rope_theta":500000.0,
         "rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":64},
         "tie_word_embeddings":false,"bos_token_id":1,"eos_token_id":2}
        """;

    /// <summary>Tied embeddings with attention and MLP biases.</summary>
    public const string TiedWithBias = """
        {"model_type":"llama","vocab_size":61,"hidden_size":16,"intermediate_size":40,"num_hidden_layers":2,
         "num_attention_heads":2,"rms_norm_eps":1e-6,"tie_word_embeddings":true,"attention_bias":true,"mlp_bias":true}
        """;

    /// <summary>A model of <paramref name="json"/> with normal(0, std) weights. A larger std than
    /// Hugging Face's 0.02 makes the next-token distribution far from uniform, so tests see real differences.</summary>
    public static LlamaForCausalLM Create(string json = Gqa, ulong seed = 7, ScalarType dtype = ScalarType.Float32, double std = 0.3)
    {
        var model = new LlamaForCausalLM(LlamaConfig.FromJson(json, "test config"), dtype);
        model.InitializeWeights(seed, std);
        model.eval();
        return model;
    }

    /// <summary>Deterministic pseudo-random ids in [2, vocab).</summary>
    public static int[] Ids(int count, int vocab, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.Next(2, vocab)).ToArray();
    }
}
