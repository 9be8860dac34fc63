using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Selection;

/// <summary>A template's accuracy on labelled rows, as answered by an <see cref="IMultipleChoiceScorer"/>.</summary>
internal static class TemplateAccuracy
{
    /// <summary>Checks that the rows can be scored: at least one, each with a label the task has.</summary>
    public static void CheckRows(TaskDefinition task, IReadOnlyList<TaskExample> rows, string parameterName)
    {
        if (rows.Count == 0)
            throw new ArgumentException("At least one validation row is needed.", parameterName);
        for (int r = 0; r < rows.Count; r++)
            if (rows[r].Label < 0 || rows[r].Label >= task.OptionCount)
                throw new ArgumentException(
                    $"Validation row {r} ({rows[r].Source}) has label {rows[r].Label}; task '{task.Name}' needs 0..{task.OptionCount - 1}.",
                    parameterName);
    }

    /// <summary>The predictions for every row rendered with <paramref name="template"/>.</summary>
    public static IReadOnlyList<int> Predict(PromptTemplate template, TaskDefinition task, IReadOnlyList<TaskExample> rows, IMultipleChoiceScorer scorer)
    {
        var prompts = new string[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            try
            {
                prompts[r] = template.Render(rows[r].Fields);
            }
            catch (KeyNotFoundException e)
            {
                throw new ArgumentException($"Validation row {r} ({rows[r].Source}) cannot fill template '{template.Id}': {e.Message}", nameof(rows), e);
            }
        }
        IReadOnlyList<int> predicted = scorer.Predict(prompts, task);
        if (predicted.Count != prompts.Length)
            throw new InvalidOperationException(
                $"The scorer returned {predicted.Count} predictions for {prompts.Length} prompts of template '{template.Id}'.");
        return predicted;
    }

    /// <summary>Share of rows answered correctly with <paramref name="template"/>.</summary>
    public static double Of(PromptTemplate template, TaskDefinition task, IReadOnlyList<TaskExample> rows, IMultipleChoiceScorer scorer)
    {
        IReadOnlyList<int> predicted = Predict(template, task, rows, scorer);
        int correct = 0;
        for (int r = 0; r < rows.Count; r++)
            if (predicted[r] == rows[r].Label)
                correct++;
        return (double)correct / rows.Count;
    }
}
