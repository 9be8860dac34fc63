using Paft.Llama.Lora;
using Paft.MLNet.Scoring;

namespace Paft.MLNet.Training;

/// <summary>
/// Named, measured starting points for <see cref="PaftTrainerOptions"/>. Each returns new options with the
/// training settings filled in; set <see cref="PaftTrainerOptions.ModelPath"/>, <see cref="PaftTrainerOptions.Task"/>
/// and <see cref="PaftTrainerOptions.TrainingTemplates"/> (and change anything else) before use.
/// </summary>
public static class PaftRecipes
{
    /// <summary>The options of <paramref name="recipe"/>.</summary>
    public static PaftTrainerOptions Create(PaftRecipe recipe) => recipe switch
    {
        PaftRecipe.Paper => Paper(),
        PaftRecipe.SmallModel => SmallModel(),
        _ => throw new ArgumentOutOfRangeException(nameof(recipe), recipe, "Unknown recipe."),
    };

    /// <summary>
    /// The PAFT paper's setting (Wei et al. 2025, and the authors' code): the answer LETTER is the target and is
    /// scored by its log-likelihood (<see cref="AnswerTarget.Letter"/>, <see cref="ScoringMode.AnswerLetter"/>), LoRA
    /// rank 8 (alpha 16) on <c>q_proj</c> and <c>v_proj</c>, AdamW at lr 1e-4 with a cosine schedule and 10% warmup,
    /// the template redrawn every K = 4 optimizer steps, 3 epochs, effective batch 8, maximum length 1024. Meant
    /// for pretrained models of a billion parameters and more; on small models lr 1e-4 stays near chance.
    /// </summary>
    public static PaftTrainerOptions Paper() => new()
    {
        AnswerTarget = AnswerTarget.Letter,
        Scoring = ScoringMode.AnswerLetter,
        LearningRate = 1e-4,
        WarmupRatio = 0.1,
        Lora = new LoraConfig { Rank = 8, Alpha = 16, TargetModules = ["q_proj", "v_proj"] },
        RedrawEverySteps = 4,
        Epochs = 3,
        BatchSize = 8,
        GradientAccumulationSteps = 1,
        MaxLength = 1024,
    };

    /// <summary>
    /// Small models (millions of parameters, such as the demo's): the correct option's own TEXT is the target and
    /// each option's text is scored by its log-likelihood (<see cref="AnswerTarget.OptionText"/>,
    /// <see cref="ScoringMode.OptionText"/>), because a small model finds the answer but does not learn to name the
    /// label standing before it; AdamW at lr 5e-3 with 10% warmup, LoRA rank 16 (alpha 32) on <c>q_proj</c> and
    /// <c>v_proj</c>, K = 4, 6 epochs, batch 16, maximum length 512. The demo's settings: on its task, measured by
    /// <c>paft sweep</c>'s K × epochs study, PAFT at K = 4 reaches 98% on unseen templates with 6 epochs and its worst
    /// template 70%, where 3 epochs leave one template at 45%. A model trained this way answers in option text, so
    /// <see cref="ScoringMode.Generation"/> (which looks for a letter) does not suit it.
    /// </summary>
    public static PaftTrainerOptions SmallModel() => new()
    {
        AnswerTarget = AnswerTarget.OptionText,
        Scoring = ScoringMode.OptionText,
        LearningRate = 5e-3,
        WarmupRatio = 0.1,
        Lora = new LoraConfig { Rank = 16, Alpha = 32, TargetModules = ["q_proj", "v_proj"] },
        RedrawEverySteps = 4,
        Epochs = 6,
        BatchSize = 16,
        GradientAccumulationSteps = 1,
        MaxLength = 512,
    };
}
