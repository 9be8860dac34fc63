using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Selection;

/// <summary>A scorer whose answers are a function of the prompt text, so a test knows every accuracy.</summary>
internal sealed class FakeScorer(Func<IReadOnlyList<string>, IReadOnlyList<int>> predict) : IMultipleChoiceScorer
{
    public int Calls { get; private set; }

    public IReadOnlyList<int> Predict(IReadOnlyList<string> prompts, TaskDefinition task)
    {
        Calls++;
        return predict(prompts);
    }
}
