using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.MLNet.Tasks;
using static TorchSharp.torch;

namespace Paft.Demo;

/// <summary>
/// A check of pretraining, not of any method: asked in the plain form pretraining taught ("Where is the key?
/// The key is in the"), does the base model give the right container's colour a higher next-token probability
/// than the other three options' colours? The skill, without the multiple-choice format.
/// </summary>
internal static class DemoPlainQuestion
{
    /// <summary>The share of <paramref name="rows"/> the model answers right in the plain form.</summary>
    public static double Accuracy(LlamaForCausalLM model, WordLevelTokenizer tokenizer, IReadOnlyList<TaskExample> rows, int batchSize)
    {
        int correct = 0;
        using var noGrad = no_grad();
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batchSize, rows.Count - start);
            var prompts = new List<IReadOnlyList<int>>(count);
            for (int b = 0; b < count; b++)
            {
                TaskExample row = rows[start + b];
                prompts.Add(tokenizer.Encode(DemoCorpus.PlainQuestion(row.Fields["context"], row.Fields["question"]), addBos: true));
            }
            int longest = prompts.Max(p => p.Count);
            // Left padding: every prompt ends at the last position, whose logits predict the colour.
            var ids = new long[count * longest];
            var mask = new long[count * longest];
            Array.Fill(ids, WordLevelTokenizer.PadId);
            for (int b = 0; b < count; b++)
                for (int t = 0; t < prompts[b].Count; t++)
                {
                    ids[b * longest + longest - prompts[b].Count + t] = prompts[b][t];
                    mask[b * longest + longest - prompts[b].Count + t] = 1;
                }
            float[] last = model.forward(tensor(ids, [count, longest]), tensor(mask, [count, longest]))[.., -1, ..]
                .to(ScalarType.Float32).data<float>().ToArray();
            int vocab = last.Length / count;
            for (int b = 0; b < count; b++)
            {
                TaskExample row = rows[start + b];
                // The option "the red box": its colour word, as the corpus says it after "is in the".
                int[] colours = DemoTask.Definition.OptionFields.Select(f => tokenizer.Encode(" " + row.Fields[f].Split(' ')[1])[0]).ToArray();
                int best = 0;
                for (int o = 1; o < colours.Length; o++)
                    if (last[b * vocab + colours[o]] > last[b * vocab + colours[best]])
                        best = o;
                if (best == row.Label)
                    correct++;
            }
        }
        return (double)correct / rows.Count;
    }
}
