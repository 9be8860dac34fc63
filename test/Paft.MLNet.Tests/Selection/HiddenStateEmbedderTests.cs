using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.MLNet.Selection;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.MLNet.Tests.Selection;

public class HiddenStateEmbedderTests
{
    private static string ModelDir => SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");

    [SharedFact]
    public void EmbeddingIsTheNormalisedMeanOfTheFinalHiddenStates()
    {
        var model = LlamaForCausalLM.FromPretrained(ModelDir);
        ILlamaTokenizer tokenizer = TokenizerLoader.Load(ModelDir);
        var embedder = new HiddenStateEmbedder(model, tokenizer);
        const string text = "Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:";
        float[] embedding = embedder.Embed(text);

        // By hand: run the model, take the hidden states as lm_head sees them, average over positions.
        IReadOnlyList<int> ids = tokenizer.Encode(text, addBos: true);
        using var noGrad = no_grad();
        model.eval();
        using var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Count]);
        using var hidden = model.ForwardHidden(input, null, null);
        float[] flat = hidden.data<float>().ToArray();
        int size = (int)hidden.shape[2];
        var mean = new double[size];
        for (int t = 0; t < ids.Count; t++)
            for (int h = 0; h < size; h++)
                mean[h] += flat[t * size + h] / ids.Count;
        double norm = Math.Sqrt(mean.Sum(v => v * v));

        Assert.Equal(size, embedding.Length);
        for (int h = 0; h < size; h++)
            Assert.Equal(mean[h] / norm, embedding[h], 5);
        Assert.Equal(1.0, Math.Sqrt(embedding.Sum(v => (double)v * v)), 5);
    }

    [SharedFact]
    public void DifferentWordingsGetDifferentEmbeddingsAndTheSameTextTheSame()
    {
        var embedder = HiddenStateEmbedder.FromPretrained(ModelDir);
        float[] a = embedder.Embed("Pick the better solution for {goal}: A. {sol1} B. {sol2} Answer:");
        float[] b = embedder.Embed("Pick the better solution for {goal}: A. {sol1} B. {sol2} Answer:");
        float[] c = embedder.Embed("{goal}\n(1) {sol1}\n(2) {sol2}\nWhich one? Reply with A or B.");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
