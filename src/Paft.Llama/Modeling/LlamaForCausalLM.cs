using Paft.Llama.Checkpoints;
using Paft.Llama.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// A LLaMA causal language model (Llama 2, 3, 3.1, 3.2) on TorchSharp, laid out like Hugging Face's
/// <c>LlamaForCausalLM</c>: its parameters are named exactly as the keys of a Hugging Face checkpoint
/// (<c>model.embed_tokens.weight</c>, <c>model.layers.N.self_attn.q_proj.weight</c>, ...,
/// <c>lm_head.weight</c>), every weight is a trainable <see cref="Parameter"/>, and every linear layer is
/// an <see cref="AdaptableLinear"/> so adapters such as LoRA can wrap it. With tied embeddings
/// <c>lm_head</c> shares the embedding parameter, which is then listed once, as <c>model.embed_tokens.weight</c>.
/// </summary>
/// <remarks>
/// Create the model on its final device and dtype (constructor or <see cref="FromPretrained"/>):
/// TorchSharp's <c>module.to(...)</c> converts each module's parameters separately and would untie
/// tied embeddings.
/// </remarks>
public sealed class LlamaForCausalLM : nn.Module<Tensor, Tensor>
{
    internal readonly LlamaModel model;
    internal readonly AdaptableLinear lm_head;

    /// <summary>Creates a model with placeholder weights (zeros, norms at one): load or initialise them next.</summary>
    /// <param name="config">The architecture.</param>
    /// <param name="dtype">Compute dtype: <see cref="ScalarType.Float32"/> or <see cref="ScalarType.BFloat16"/>.</param>
    /// <param name="device">The device; CPU when null.</param>
    public LlamaForCausalLM(LlamaConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(LlamaForCausalLM))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
            throw new ArgumentException($"compute dtype {dtype} is not supported; use Float32 or BFloat16", nameof(dtype));
        Config = config;
        DType = dtype;
        Device = ComputeDevice.Resolve(device);

        lm_head = new AdaptableLinear(config.HiddenSize, config.VocabSize, hasBias: false, dtype, Device);
        Parameter embedding = config.TieWordEmbeddings
            ? lm_head.weight
            : new Parameter(zeros(config.VocabSize, config.HiddenSize, dtype, Device));
        model = new LlamaModel(config, embedding, dtype, Device);
        // Register the stack first so a tied matrix is listed under the embedding's name.
        register_module("model", model);
        register_module("lm_head", lm_head);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public LlamaConfig Config { get; }

    /// <summary>The compute dtype of the weights and activations.</summary>
    public ScalarType DType { get; }

    /// <summary>The device of the weights.</summary>
    public Device Device { get; }

    /// <summary>
    /// Loads a Hugging Face model folder: <c>config.json</c> plus <c>model.safetensors</c> or a sharded
    /// <c>model.safetensors.index.json</c>. Stored bf16/fp16/fp32 weights are converted to
    /// <paramref name="dtype"/>. Keys must match exactly; pickle checkpoints (<c>.bin</c>, <c>.pt</c>) are refused.
    /// The model is returned in evaluation mode.
    /// </summary>
    /// <exception cref="InvalidDataException">The config or a checkpoint is malformed or does not match; the message names the file and key.</exception>
    /// <exception cref="FileNotFoundException">The folder has no config or no safetensors weights.</exception>
    public static LlamaForCausalLM FromPretrained(string modelDir, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDir);
        CheckpointFiles.RefusePickleFile(modelDir);
        if (!Directory.Exists(modelDir))
            throw new DirectoryNotFoundException($"model folder '{modelDir}' does not exist");
        var config = LlamaConfig.FromFile(Path.Combine(modelDir, "config.json"));
        var files = CheckpointFiles.Locate(modelDir);
        var result = new LlamaForCausalLM(config, dtype, device);
        try
        {
            CheckpointLoader.Load(result.named_parameters().ToList(), files, name => LlamaCheckpointKeys.IsIgnorable(name, config));
        }
        catch
        {
            result.Dispose();
            throw;
        }
        result.eval();
        return result;
    }

    /// <summary>
    /// Writes this model as a Hugging Face folder (<c>config.json</c>, <c>model.safetensors</c>) that <see cref="FromPretrained"/>
    /// and any LLaMA loader read back; adapter weights are left out (merge them first to keep them). See <see cref="LlamaCheckpointWriter.Save"/>.
    /// </summary>
    /// <param name="folder">The folder, created if needed.</param>
    /// <param name="dtype">The dtype of the written weights; null: the model's own.</param>
    public void SavePretrained(string folder, ScalarType? dtype = null) => _ = LlamaCheckpointWriter.Save(this, folder, dtype);

    /// <summary>Logits [B, T, vocab] (float32) for <paramref name="inputIds"/> [B, T] (int64), no padding, no cache.</summary>
    public override Tensor forward(Tensor inputIds) => forward(inputIds, null, null);

    /// <summary>
    /// Logits [B, T, vocab] in float32 for <paramref name="inputIds"/> [B, T] (int64).
    /// <paramref name="attentionMask"/> [B, T] marks real tokens (1) and padding (0) of these tokens
    /// (left padding for batches of different lengths); null means all real. With a
    /// <paramref name="cache"/>, the tokens continue the cached ones and are appended to it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id lies outside the vocabulary.</exception>
    public Tensor forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache = null)
    {
        CheckInput(inputIds, attentionMask);
        CheckInVocabulary(inputIds);
        using var hidden = model.call(inputIds, attentionMask, cache);
        return Logits(hidden);
    }

    /// <summary>
    /// The final normalised hidden states [B, T, hidden], before <c>lm_head</c>. The ids must lie in the
    /// vocabulary: the library's callers check them on the host where they are made (TokenBatch,
    /// CausalLMBatch) or draw them from the model's own logits, so no step reads them back from the device.
    /// Arguments as for <see cref="forward(Tensor, Tensor?, KvCache?)"/>; what embedders read.
    /// </summary>
    public Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        CheckInput(inputIds, attentionMask);
        return model.call(inputIds, attentionMask, cache);
    }

    /// <summary>Applies <c>lm_head</c> to hidden states and returns float32 logits.</summary>
    internal Tensor Logits(Tensor hidden)
    {
        using var logits = lm_head.call(hidden);
        return logits.to(ScalarType.Float32);
    }

    /// <summary>
    /// Whether training recomputes each decoder layer in the backward pass instead of keeping its
    /// activations (gradient checkpointing): far less activation memory for one more forward pass.
    /// Set by the LoRA trainer from its options.
    /// </summary>
    internal bool GradientCheckpointing
    {
        get => model.GradientCheckpointing;
        set => model.GradientCheckpointing = value;
    }

    /// <summary>The decoder layers, in order (for adapters and tests).</summary>
    internal IReadOnlyList<LlamaDecoderLayer> Layers => model.layers.ToList();

    private static void CheckInput(Tensor inputIds, Tensor? attentionMask)
    {
        if (inputIds.dim() != 2 || inputIds.dtype != ScalarType.Int64)
            throw new ArgumentException($"input ids must be a [batch, length] int64 tensor, got {inputIds.dtype} [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        if (attentionMask is not null && !attentionMask.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"attention mask shape [{string.Join(", ", attentionMask.shape)}] differs from input ids [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
    }

    /// <summary>
    /// Ids given through the public forward are checked before the embedding looks them up: on the host
    /// for CPU tensors (their memory is read in place, nothing is computed); a tensor on a GPU costs one
    /// read-back of its minimum and maximum, once per call.
    /// </summary>
    private void CheckInVocabulary(Tensor inputIds)
    {
        if (inputIds.NumberOfElements == 0) return;
        long low, high;
        if (inputIds.device.type == DeviceType.CPU)
        {
            using var flat = inputIds.contiguous();
            low = long.MaxValue;
            high = long.MinValue;
            foreach (long id in flat.data<long>())
            {
                low = Math.Min(low, id);
                high = Math.Max(high, id);
            }
        }
        else
        {
            using var min = inputIds.min();
            using var max = inputIds.max();
            low = min.item<long>();
            high = max.item<long>();
        }
        if (low < 0 || high >= Config.VocabSize)
            throw new ArgumentOutOfRangeException("inputIds", $"input ids must lie in [0, {Config.VocabSize}) for this model; found {(low < 0 ? low : high)}");
    }

    /// <summary>
    /// Fills the weights with random values as Hugging Face initialises a fresh model: normal(0, std)
    /// for embeddings and linear weights, zero biases, norms at one. Deterministic for a seed.
    /// </summary>
    public void InitializeWeights(ulong seed, double std = 0.02)
    {
        using var generator = new Generator(seed, Device);
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal)) p.fill_(HeldScalars.One);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else p.normal_(0, std, generator);
        }
    }
}
