using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Training;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Training;

/// <summary>
/// The premise of all fine-tuning here: LoRA through <see cref="LoraTrainer"/> learns an answer that
/// DEPENDS ON THE PROMPT. A fixed continuation (the stories260K test) can be learned from the answer's
/// prior alone; this task cannot: the answer is a fixed function of a token several positions back,
/// so the loss can only fall below ln 4 if attention carries the prompt to the answer position.
/// </summary>
/// <remarks>
/// Measured while writing this test: on a RANDOM base, LoRA on every projection except <c>lm_head</c>
/// (even at full rank) stalls near 0.9, while full fine-tuning and LoRA that includes <c>lm_head</c> reach
/// ~0. The final RMSNorm fixes the hidden state's scale, so a frozen small-norm random <c>lm_head</c>
/// bounds how far apart the four answer logits can be pushed. A pretrained base has trained output rows
/// for the tokens it must produce; a random or barely trained one needs <c>lm_head</c> among the targets.
/// </remarks>
public class InputDependentLearningTests
{
    private const string Config = """
        {"model_type":"llama","vocab_size":32,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,
         "num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-5,"tie_word_embeddings":false,
         "bos_token_id":1,"eos_token_id":2,"pad_token_id":0}
        """;

    // Prompt: BOS, key k (one of 4 tokens), three filler tokens of variable length, SEP. Answer: 20 + k.
    private static List<TrainingExample> Examples(int count, int seed)
    {
        var rng = new Random(seed);
        var examples = new List<TrainingExample>();
        for (int i = 0; i < count; i++)
        {
            int key = rng.Next(4);
            var prompt = new List<int> { 1, 10 + key };
            int fillers = 1 + rng.Next(4);
            for (int f = 0; f < fillers; f++)
                prompt.Add(14 + rng.Next(4));
            prompt.Add(3);
            examples.Add(new TrainingExample(prompt, [20 + key]));
        }
        return examples;
    }

    [Fact]
    public void LoraLearnsAnAnswerThatDependsOnThePrompt()
    {
        using var scope = NewDisposeScope();
        var model = new LlamaForCausalLM(LlamaConfig.FromJson(Config, "test config"));
        model.InitializeWeights(11, 0.1);
        var lora = LoraAdapterSet.Apply(model, new LoraConfig
        {
            Rank = 8, Alpha = 16, TargetModules = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"],
        }, seed: 5);
        var options = new TrainingOptions
        {
            Epochs = 4, BatchSize = 16, LearningRate = 1e-2, WarmupRatio = 0.05, Seed = 3, PadTokenId = 0, MaxLength = 16,
        };
        var losses = new List<double>();
        var trainer = new LoraTrainer(lora, (ids, mask) => model.forward(ids, mask), options);
        trainer.Train(Examples(256, seed: 1), new Progress(p => { if (p.Kind == TrainingProgressKind.Step) losses.Add(p.Loss); }));

        double first = losses.Take(3).Average(), last = losses.TakeLast(5).Average();
        Assert.True(first > 1.2, $"the task starts near ln 4 or above (got {first:F3})");
        Assert.True(last < 0.1, $"completion loss should fall far below ln 4 = 1.386 when the prompt is used; " +
                                $"went {first:F3} -> {last:F3} (steps: {string.Join(" ", losses.Select(l => l.ToString("F2")))})");
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
