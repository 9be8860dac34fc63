namespace Paft.MLNet.Training;

/// <summary>A named starting point for <see cref="PaftTrainerOptions"/>; see <see cref="PaftRecipes"/>.</summary>
public enum PaftRecipe
{
    /// <summary>The PAFT paper's setting (<see cref="PaftRecipes.Paper"/>): answer letters, lr 1e-4, LoRA r 8 on q/v.</summary>
    Paper,

    /// <summary>Small models (<see cref="PaftRecipes.SmallModel"/>): the option's own text as the answer, lr 5e-3, LoRA r 16.</summary>
    SmallModel,
}
