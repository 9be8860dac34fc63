using Paft.MLNet.Scoring;
using Paft.MLNet.Training;

namespace Paft.Demo;

/// <summary>
/// Settings of the embedded demo (<see cref="DemoRecipe.Run"/>). The defaults are the configuration measured
/// for about a minute of CPU: the base model learns the skill in its plain form, and fine-tuning follows
/// <see cref="PaftRecipes.SmallModel"/> (the option's own text as the answer, lr 5e-3, LoRA r 16).
/// </summary>
public sealed class DemoOptions
{
    /// <summary>Seed of everything: task splits, corpus, template pools, weights, orders. Default 2502.</summary>
    public int Seed { get; init; } = 2502;

    /// <summary>Folder for the models (<c>base/</c>, <c>sft/</c>, <c>sft-top/</c>, <c>zopo/</c>, <c>batprompt/</c>, <c>paft/</c>); null keeps nothing.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>
    /// A base model written earlier by this recipe (its <c>base/</c> folder) to fine-tune instead of
    /// pretraining a new one; null pretrains. The model settings below are then taken from its config.
    /// </summary>
    public string? BaseModelDirectory { get; init; }

    /// <summary>Hidden size of the tiny LLaMA. Default 64.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Decoder layers. Default 2.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Attention heads (also key/value heads). Default 4.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>SwiGLU inner size. Default 192.</summary>
    public int IntermediateSize { get; init; } = 192;

    /// <summary>Pretraining steps (full-parameter AdamW). Default 400.</summary>
    public int PretrainSteps { get; init; } = 400;

    /// <summary>Documents per pretraining step. Default 32.</summary>
    public int PretrainBatchSize { get; init; } = 32;

    /// <summary>Peak pretraining learning rate. Default 5e-3.</summary>
    public double PretrainLearningRate { get; init; } = 5e-3;

    /// <summary>Documents in the pretraining corpus (cycled through). Default 8192.</summary>
    public int PretrainDocuments { get; init; } = 8192;

    /// <summary>Facts each story tells (1..4): the asked one and distractors; the task's difficulty. Default 1
    /// (the base model learns the plain skill reliably only at 1 in the default pretraining budget).</summary>
    public int StoryFacts { get; init; } = 1;

    /// <summary>
    /// Share of pretraining documents that are labelled lists rather than stories (see the corpus). Default
    /// 0.5. At 0 the letter tokens never occur in pretraining and fine-tuning cannot teach them.
    /// </summary>
    public double ListDocumentShare { get; init; } = 0.5;

    /// <summary>Fine-tuning examples (one epoch each). Default 1024.</summary>
    public int TrainExamples { get; init; } = 1024;

    /// <summary>Validation examples (TopAccuracy's template choice). Default 48.</summary>
    public int ValidationExamples { get; init; } = 48;

    /// <summary>Test examples, each scored under every test template. Default 96.</summary>
    public int TestExamples { get; init; } = 96;

    /// <summary>
    /// Fine-tuning epochs. Default 6, the small-model recipe's (<c>PaftRecipes.SmallModel</c>): the paper trains 3, but on
    /// this tiny model 3 epochs leave PAFT's worst unseen template at 45% where 6 give 70% (<c>paft sweep</c>'s K × epochs study).
    /// </summary>
    public int FineTuneEpochs { get; init; } = 6;

    /// <summary>Fine-tuning batch size. Default 16.</summary>
    public int FineTuneBatchSize { get; init; } = 16;

    /// <summary>
    /// What fine-tuning teaches the model to say after the answer cue. Default <see cref="AnswerTarget.OptionText"/>
    /// (<see cref="PaftRecipes.SmallModel"/>): with answer letters (the paper's target) single-template SFT stayed at
    /// chance on its own template in every configuration measured, since naming the letter needs a second lookup
    /// (which label stands before the right option) that this tiny model never learns.
    /// </summary>
    public AnswerTarget AnswerTarget { get; init; } = AnswerTarget.OptionText;

    /// <summary>How every model answers when it is evaluated. Default <see cref="ScoringMode.OptionText"/>, which matches <see cref="AnswerTarget"/>'s default.</summary>
    public ScoringMode Scoring { get; init; } = ScoringMode.OptionText;

    /// <summary>The compute type fine-tuning and evaluation run in (pretraining is always fp32). Default <see cref="PaftComputeType.Float32"/>.</summary>
    public PaftComputeType ComputeType { get; init; } = PaftComputeType.Float32;

    /// <summary>Peak fine-tuning learning rate. Default 5e-3.</summary>
    public double FineTuneLearningRate { get; init; } = 5e-3;

    /// <summary>LoRA rank. Default 16 (the paper uses 8; measured here, rank 8 leaves PAFT underfitted after 3 epochs).</summary>
    public int LoraRank { get; init; } = 16;

    /// <summary>LoRA alpha. Default 32.</summary>
    public double LoraAlpha { get; init; } = 32;

    /// <summary>The layers LoRA adapts. Default q_proj and v_proj, the paper's.</summary>
    public IReadOnlyList<string> LoraTargets { get; init; } = ["q_proj", "v_proj"];

    /// <summary>Templates generated by the offline grammar before the train/test split. Default 96.</summary>
    public int Templates { get; init; } = 96;

    /// <summary>Share of the templates held out as unseen test templates. Default 0.25.</summary>
    public double TestTemplateFraction { get; init; } = 0.25;

    /// <summary>PAFT's K: the template is redrawn every this many optimizer steps. Default 4.</summary>
    public int RedrawEverySteps { get; init; } = 4;

    /// <summary>Templates the ZOPO baseline may evaluate on the validation examples before it chooses. Default 20
    /// (ZopoOptions' default; TopAccuracy evaluates the whole training pool).</summary>
    public int ZopoBudget { get; init; } = 20;

    /// <summary>Adversarial variants made of every test template (the adversarial test set). Default 1.</summary>
    public int AdversarialVariants { get; init; } = 1;

    /// <summary>
    /// Prompts each model answers in generation mode for the inference-time table (the paper's Table 2): test
    /// examples under the test templates in turn, one prompt at a time, as a user would send them. Default 48;
    /// 0 skips the measurement.
    /// </summary>
    public int GenerationPrompts { get; init; } = 48;

    /// <summary>Most tokens generated per prompt in generation mode. Default 24.</summary>
    public int GenerationMaxNewTokens { get; init; } = 24;

    /// <summary>Prompts per forward pass when scoring. Default 64.</summary>
    public int EvaluationBatchSize { get; init; } = 64;

    /// <summary>Throws, naming the setting, when a value is out of range.</summary>
    public void Validate()
    {
        Positive(HiddenSize, nameof(HiddenSize));
        Positive(Layers, nameof(Layers));
        Positive(Heads, nameof(Heads));
        Positive(IntermediateSize, nameof(IntermediateSize));
        if (HiddenSize % Heads != 0 || HiddenSize / Heads % 2 != 0)
            throw new ArgumentException($"HiddenSize {HiddenSize} must be divisible by Heads {Heads} into an even head size.");
        Positive(PretrainSteps, nameof(PretrainSteps));
        Positive(PretrainBatchSize, nameof(PretrainBatchSize));
        if (PretrainDocuments < PretrainBatchSize)
            throw new ArgumentOutOfRangeException(nameof(PretrainDocuments), PretrainDocuments, "Need at least one batch of documents.");
        Positive(TrainExamples, nameof(TrainExamples));
        Positive(ValidationExamples, nameof(ValidationExamples));
        Positive(TestExamples, nameof(TestExamples));
        Positive(FineTuneEpochs, nameof(FineTuneEpochs));
        Positive(FineTuneBatchSize, nameof(FineTuneBatchSize));
        Positive(LoraRank, nameof(LoraRank));
        Positive(RedrawEverySteps, nameof(RedrawEverySteps));
        Positive(EvaluationBatchSize, nameof(EvaluationBatchSize));
        Positive(ZopoBudget, nameof(ZopoBudget));
        Positive(AdversarialVariants, nameof(AdversarialVariants));
        Positive(GenerationMaxNewTokens, nameof(GenerationMaxNewTokens));
        if (GenerationPrompts < 0)
            throw new ArgumentOutOfRangeException(nameof(GenerationPrompts), GenerationPrompts, "Must be 0 (skip) or more.");
        if (Templates < 4)
            throw new ArgumentOutOfRangeException(nameof(Templates), Templates, "Need at least 4 templates to split into train and test pools.");
        if (!(TestTemplateFraction > 0 && TestTemplateFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(TestTemplateFraction), TestTemplateFraction, "Must be strictly between 0 and 1.");
        if (!(PretrainLearningRate > 0) || !(FineTuneLearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(FineTuneLearningRate), "Learning rates must be positive.");
        DemoTask.CheckStoryFacts(StoryFacts);
        if (!(ListDocumentShare >= 0 && ListDocumentShare <= 1))
            throw new ArgumentOutOfRangeException(nameof(ListDocumentShare), ListDocumentShare, "Must be in [0, 1].");
        if (LoraTargets.Count == 0)
            throw new ArgumentException("LoraTargets is empty.", nameof(LoraTargets));
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }
}
