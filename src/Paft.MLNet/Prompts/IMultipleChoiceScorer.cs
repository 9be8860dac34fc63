using Paft.MLNet.Tasks;

namespace Paft.MLNet.Prompts;

/// <summary>
/// Anything that answers multiple-choice prompts: a base model scoring option log-likelihoods, a model
/// generating a letter, a remote service. The quality filter needs nothing more.
/// </summary>
public interface IMultipleChoiceScorer
{
    /// <summary>Predicts the chosen option for each rendered prompt.</summary>
    /// <param name="prompts">Prompts rendered from one template over validation rows.</param>
    /// <param name="task">The task (its answer labels tell how many options there are).</param>
    /// <returns>One 0-based option index per prompt, in the same order (or -1 when no option could be read).</returns>
    IReadOnlyList<int> Predict(IReadOnlyList<string> prompts, TaskDefinition task);
}
