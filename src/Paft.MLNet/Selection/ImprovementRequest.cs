using System.Text;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Selection;

/// <summary>
/// The message that asks a chat model for better templates: the current best template, its clean and
/// perturbed accuracy, examples with noisy inputs it got wrong, and the format rules a template must keep.
/// </summary>
internal static class ImprovementRequest
{
    public const string SystemMessage =
        "You improve prompt templates for multiple-choice questions so that a model answers correctly even when the inputs contain typos, " +
        "missing or extra spaces and punctuation, or reworded text. Reply with a JSON array of template strings and nothing else.";

    public static string Build(TaskDefinition task, PromptTemplate best, BatpromptStep score,
        IReadOnlyList<(TaskExample Row, int Predicted)> failures, int count)
    {
        var text = new StringBuilder();
        text.Append("Task: ").Append(task.Name).Append(". Each template must contain each of these placeholders exactly once: ")
            .Append(string.Join(", ", task.Fields.Select(f => "{" + f + "}")))
            .Append(". The options are ").Append(string.Join(", ", task.OptionFields.Select((f, i) => $"{{{f}}} (answer {task.AnswerLabels[i]})")))
            .Append(". Write literal braces as {{ and }}. End each template with a line asking for the answer, such as \"Answer:\".\n\n");
        text.Append("Current template (accuracy ").Append(Percent(score.CleanAccuracy)).Append(" on clean inputs, ")
            .Append(Percent(score.PerturbedAccuracy)).Append(" on noisy inputs):\n").Append(best.DisplayText).Append("\n\n");
        if (failures.Count > 0)
        {
            text.Append("Noisy inputs it got wrong:\n");
            foreach ((TaskExample row, int predicted) in failures)
            {
                foreach (string field in task.Fields)
                    text.Append(field).Append(": ").Append(row.Fields.GetValueOrDefault(field, "")).Append('\n');
                text.Append("correct answer: ").Append(task.AnswerLabels[row.Label])
                    .Append(", model answered: ").Append(predicted >= 0 && predicted < task.OptionCount ? task.AnswerLabels[predicted] : "nothing readable")
                    .Append("\n\n");
            }
        }
        text.Append("Write ").Append(count).Append(" improved templates as a JSON array of strings.");
        return text.ToString();
    }

    private static string Percent(double value) => (100 * value).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
}
