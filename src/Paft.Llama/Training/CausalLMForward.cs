using static TorchSharp.torch;

namespace Paft.Llama.Training;

/// <summary>
/// A causal language model's forward pass as the trainer sees it: input ids [B, T] (int64) and an
/// attention mask [B, T] (1 = real token, 0 = padding) to logits [B, T, V]. For our LLaMA this is
/// <c>(ids, mask) =&gt; model.forward(ids, mask)</c>.
/// </summary>
public delegate Tensor CausalLMForward(Tensor inputIds, Tensor attentionMask);
