using System.Text.Json;
using Paft.MLNet.Input;

namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// RACE in two layouts: Hugging Face rows (jsonl of <c>article</c>, <c>question</c>, <c>options</c> (4),
/// <c>answer</c> letter) and the original per-article JSON files (<c>article</c>, <c>questions</c>,
/// <c>options</c>, <c>answers</c>; one file gives one example per question).
/// </summary>
internal static class RaceReader
{
    public static TaskReadResult ReadRows(string path, ReaderOptions options)
    {
        TaskDefinition task = TaskDefinition.Race;
        var rows = new RowCollector(task, options);
        JsonLines.ReadInto(rows, path, (row, source) =>
        {
            IReadOnlyList<string> choices = JsonFields.Strings(row, "options", task.OptionCount);
            int label = ExampleBuilder.LabelFromLetter(task, JsonFields.String(row, "answer"), "answer");
            return [ExampleBuilder.Create(task,
                [JsonFields.String(row, "article"), JsonFields.String(row, "question"), .. choices], label, source)];
        });
        return rows.ToResult();
    }

    /// <summary>One original article file, or every <c>*.txt</c> file under a folder (in ordinal path order).</summary>
    public static TaskReadResult ReadOriginal(string path, ReaderOptions options)
    {
        TaskDefinition task = TaskDefinition.Race;
        IEnumerable<string> files;
        if (Directory.Exists(path))
            files = Directory.EnumerateFiles(path, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        else if (File.Exists(path))
            files = [path];
        else
            throw new FileNotFoundException($"RACE file or folder not found: {path}", path);

        var rows = new RowCollector(task, options);
        foreach (string file in files)
        {
            if (new FileInfo(file).Length > options.Limits.MaxLineBytes)
                throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{file}: longer than {options.Limits.MaxLineBytes:N0} bytes ({InputLimits.Describe(nameof(InputLimits.MaxLineBytes), options.Limits.MaxLineBytes)})."));
            string text = StrictUtf8.ReadAllText(file);
            string name = Path.GetRelativePath(Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!, file);
            // The whole file is one row: a bad question makes the article unusable, so it is skipped as one.
            rows.Add(file, 0, () =>
            {
                using var document = JsonFields.Parse(text);
                return MapArticle(task, JsonFields.Object(document.RootElement), name).ToList();
            });
        }
        return rows.ToResult();
    }

    private static IEnumerable<TaskExample> MapArticle(TaskDefinition task, JsonElement root, string name)
    {
        string article = JsonFields.String(root, "article");
        IReadOnlyList<string> questions = JsonFields.Strings(root, "questions", -1);
        IReadOnlyList<string> answers = JsonFields.Strings(root, "answers", questions.Count);
        JsonElement options = JsonFields.Property(root, "options");
        if (options.ValueKind != JsonValueKind.Array || options.GetArrayLength() != questions.Count)
            throw new RowProblemException($"field 'options' should be an array of {questions.Count} option lists");

        int q = 0;
        foreach (JsonElement choicesElement in options.EnumerateArray())
        {
            IReadOnlyList<string> choices = JsonFields.StringArray(choicesElement, $"field 'options'[{q}]", task.OptionCount);
            int label = ExampleBuilder.LabelFromLetter(task, answers[q], $"answers[{q}]");
            yield return ExampleBuilder.Create(task, [article, questions[q], .. choices], label, $"{name}#{q + 1}");
            q++;
        }
    }
}
