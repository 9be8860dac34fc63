using Paft.Llama.Lora;
using Paft.Llama.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Paft.Llama.Modeling;

/// <summary>
/// Gradient checkpointing of one decoder layer (PyTorch's <c>torch.utils.checkpoint</c>, which TorchSharp
/// lacks), as a custom autograd function: the forward pass runs the layer without recording a graph,
/// so none of its activations are kept, only its input; the backward pass runs the layer again with the
/// graph and takes the gradients of its input and trainable parameters from that second run. Activation
/// memory falls from every intermediate tensor of every layer to one [B, T, hidden] input per layer,
/// for the price of a second forward pass per layer.
/// </summary>
/// <remarks>
/// The recomputation must see exactly what the first pass saw: the same input, rotary tables and mask
/// (kept as saved tensors) and the same LoRA dropout masks (the dropout generator's state, or torch's
/// global one when the adapters have no generator, is saved before the first pass, set again for the
/// second and put back afterwards, so training with checkpointing draws the same masks as without).
/// The layer's trainable parameters are inputs of the function, so their gradients flow through the
/// autograd engine as usual, and layer 0 gets gradients although its input (the frozen embedding)
/// needs none.
/// </remarks>
internal sealed class CheckpointedDecoderLayer : MultiTensorFunction<CheckpointedDecoderLayer>
{
    private const string LayerKey = "layer", CausalKey = "causal", RngKey = "rng", CountKey = "trainable", InputGradKey = "input-grad";

    /// <inheritdoc />
    public override string Name => nameof(CheckpointedDecoderLayer);

    /// <summary>The layer's output for <paramref name="x"/>, recorded so that backward recomputes it.</summary>
    public static Tensor Apply(LlamaDecoderLayer layer, Tensor x, StepContext step)
    {
        if (step.Cache is not null)
            throw new InvalidOperationException("Gradient checkpointing recomputes a layer without its cache; run it without a KV cache.");
        var trainable = layer.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
        // A null object is no tensor to the engine: a mask-free step records no gradient slot for it.
        var inputs = new List<object?> { layer, x, step.Cos, step.Sin, step.MaskBias, step.IsCausal };
        inputs.AddRange(trainable);
        return apply(inputs.ToArray()!)[0];
    }

    /// <inheritdoc />
    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var layer = (LlamaDecoderLayer)vars[0];
        Tensor x = (Tensor)vars[1], cos = (Tensor)vars[2], sin = (Tensor)vars[3];
        Tensor? maskBias = vars[4] as Tensor;
        bool causal = (bool)vars[5];
        ctx.save_data(LayerKey, layer);
        ctx.save_data(CausalKey, causal);
        ctx.save_data(CountKey, vars.Length - 6);
        ctx.save_data(InputGradKey, x.requires_grad);
        ctx.save_data(RngKey, DropoutState(layer));
        ctx.save_for_backward([x, cos, sin, maskBias!]);
        return [layer.call(x, StepContext.Recompute(cos, sin, maskBias, causal))];
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
    {
        var layer = (LlamaDecoderLayer)ctx.get_data(LayerKey);
        bool causal = (bool)ctx.get_data(CausalKey);
        int trainableCount = (int)ctx.get_data(CountKey);
        bool inputNeedsGrad = (bool)ctx.get_data(InputGradKey);
        var saved = ctx.get_saved_variables();
        Tensor x = saved[0], cos = saved[1], sin = saved[2];
        Tensor? maskBias = saved[3] is { IsInvalid: false } a ? a : null;
        var trainable = layer.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
        if (trainable.Count != trainableCount)
            throw new InvalidOperationException("A decoder layer's trainable parameters changed between the forward and the backward pass.");

        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        Tensor input = x.detach().requires_grad_(inputNeedsGrad);
        var wrt = new List<Tensor>();
        if (inputNeedsGrad) wrt.Add(input);
        wrt.AddRange(trainable);

        var rng = (DropoutRngState?)ctx.get_data(RngKey);
        Tensor? stateNow = rng?.Swap();
        Tensor output;
        try
        {
            output = layer.call(input, StepContext.Recompute(cos, sin, maskBias, causal));
        }
        finally
        {
            if (stateNow is not null) rng!.Restore(stateNow);
        }

        IList<Tensor> grads = wrt.Count == 0 ? [] : autograd.grad([output], wrt, [gradOutputs[0]], allow_unused: true);
        // One gradient per input of Apply: layer, x, cos, sin, mask, causal, then the trainable parameters.
        var result = new List<Tensor> { null!, inputNeedsGrad ? grads[0] : null!, null!, null!, null!, null! };
        result.AddRange(grads.Skip(inputNeedsGrad ? 1 : 0));
        foreach (var g in result)
            g?.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>The state the layer's LoRA dropout draws from, when it draws at all (training, p &gt; 0).</summary>
    private static DropoutRngState? DropoutState(LlamaDecoderLayer layer)
    {
        var dropping = layer.modules().OfType<LoraAdapter>().Where(a => a.training && a.DropoutProbability > 0 && !a.IsMerged).ToList();
        if (dropping.Count == 0) return null;
        Generator? generator = dropping[0].DropoutGenerator;
        if (dropping.Any(a => !ReferenceEquals(a.DropoutGenerator, generator)))
            throw new InvalidOperationException("Gradient checkpointing needs all LoRA adapters of a layer to draw dropout from one generator.");
        // Owned, not the forward pass's dispose scope's: the state must live until backward.
        Tensor state = generator is null ? get_rng_state() : generator.get_state();
        return new DropoutRngState(generator, TorchLifetime.Owned(state));
    }

    /// <summary>A generator (null: torch's global one) and its state before the layer's first pass.</summary>
    private sealed class DropoutRngState(Generator? generator, Tensor before)
    {
        /// <summary>Sets the state of before the first pass and returns the current one.</summary>
        public Tensor Swap()
        {
            Tensor now = generator is null ? get_rng_state() : generator.get_state();
            Restore(before);
            return now;
        }

        public void Restore(Tensor state)
        {
            if (generator is null) set_rng_state(state);
            else generator.set_state(state);
        }
    }
}
