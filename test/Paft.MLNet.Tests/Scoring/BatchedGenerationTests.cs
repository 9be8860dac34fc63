using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.Tests.Common;

namespace Paft.MLNet.Tests.Scoring;

/// <summary>
/// Generation-mode evaluation (the paper's Table 2 setting) decodes several prompts of different
/// lengths as one left-padded batch: in fp32 every prompt gets exactly the text it gets decoded alone.
/// </summary>
public sealed class BatchedGenerationTests
{
    [SharedFact]
    public void Generation_mode_answers_in_batches_equal_the_answers_one_prompt_at_a_time()
    {
        string modelDir = SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");
        using var model = LlamaForCausalLM.FromPretrained(modelDir);
        ILlamaTokenizer tokenizer = TokenizerLoader.Load(modelDir);
        string[] prompts =
        [
            "Goal: keep bread fresh\nA. put it in a sealed bag\nB. leave it in the sun\nAnswer:",
            "Goal: dry wet shoes quickly and without damaging the leather or the glue that holds the soles\nA. stuff them with newspaper\nB. put them in the oven at full heat\nAnswer:",
            "Goal: open a jar\nA. tap the lid\nB. freeze it\nAnswer:",
            "Question: which is heavier, a kilogram of feathers or a kilogram of iron?\nA. they weigh the same\nB. the iron\nAnswer:",
            "Goal: cool soup\nA. stir it\nB. boil it\nAnswer:",
        ];
        Assert.True(prompts.Select(p => tokenizer.Encode(p, addBos: true).Count).Distinct().Count() >= 4, "the prompts should differ in length");

        var batched = new MultipleChoiceScorer(model, tokenizer, batchSize: 4, maxNewTokens: 12).Answer(prompts, TaskDefinition.Piqa, ScoringMode.Generation);
        var alone = new MultipleChoiceScorer(model, tokenizer, batchSize: 1, maxNewTokens: 12).Answer(prompts, TaskDefinition.Piqa, ScoringMode.Generation);

        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.NotNull(alone[i].GeneratedText);
            Assert.Equal(alone[i].GeneratedText, batched[i].GeneratedText);
            Assert.Equal(alone[i].GeneratedTokens, batched[i].GeneratedTokens);
            Assert.Equal(alone[i].PredictedIndex, batched[i].PredictedIndex);
        }
        Assert.Contains(alone, a => a.GeneratedTokens > 0);
    }
}
