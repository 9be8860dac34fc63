using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.PromptGeneration;

public sealed class MetaPromptTests
{
    [Theory]
    [InlineData("hellaswag")]
    [InlineData("piqa")]
    [InlineData("winogrande")]
    [InlineData("race")]
    public void The_zero_shot_prompt_names_the_task_its_placeholders_and_the_count(string taskName)
    {
        TaskDefinition task = TaskDefinition.FromName(taskName);
        (string text, string source) = MetaPrompt.Load(fewShot: false, overrideFile: null);
        string prompt = MetaPrompt.Fill(text, source, task, "Pick the right ending.", 17, []);

        Assert.Contains($"\"{task.Name}\"", prompt);
        Assert.Contains("Pick the right ending.", prompt);
        Assert.Contains("Write 17 new templates", prompt);
        Assert.All(task.Fields, f => Assert.Contains($"- {{{f}}}:", prompt));
        Assert.Contains(string.Join(", ", task.AnswerLabels), prompt);
        Assert.DoesNotContain("[[", prompt);
    }

    [Fact]
    public void Without_a_description_no_run_of_blank_lines_is_left()
    {
        (string text, string source) = MetaPrompt.Load(fewShot: false, overrideFile: null);
        string prompt = MetaPrompt.Fill(text, source, TaskDefinition.Piqa, null, 3, []);
        Assert.DoesNotContain("\n\n\n", prompt);
        Assert.Contains("e.g. \"A. {sol1}\"", prompt);
    }

    [Fact]
    public void The_few_shot_prompt_lists_the_examples_one_a_line()
    {
        (string text, string source) = MetaPrompt.Load(fewShot: true, overrideFile: null);
        string prompt = MetaPrompt.Fill(text, source, TaskDefinition.Piqa, null, 5, ["Goal: {goal}\nA. {sol1}\nB. {sol2}", "{goal} {sol1} {sol2}"]);

        Assert.Contains("Goal: {goal}\\nA. {sol1}\\nB. {sol2}\n{goal} {sol1} {sol2}\n", prompt);
        Assert.NotEqual(MetaPrompt.Load(false, null).Text, text);
    }

    [Fact]
    public void A_user_file_replaces_the_built_in_prompt()
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, "mine.txt");
        File.WriteAllText(file, "Make [[COUNT]] templates for [[TASK_NAME]] using [[PLACEHOLDERS]].");
        (string text, string source) = MetaPrompt.Load(fewShot: false, overrideFile: file);
        Assert.Equal("Make 3 templates for piqa using {goal} {sol1} {sol2}.", MetaPrompt.Fill(text, source, TaskDefinition.Piqa, null, 3, []));
    }

    [Fact]
    public void An_unknown_marker_or_a_missing_file_is_reported_with_the_file_name()
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, "typo.txt");
        File.WriteAllText(file, "Make [[CONUT]] templates.");
        (string text, string source) = MetaPrompt.Load(false, file);
        var unknown = Assert.Throws<InvalidDataException>(() => MetaPrompt.Fill(text, source, TaskDefinition.Piqa, null, 3, []));
        Assert.Contains(file, unknown.Message);
        Assert.Contains("[[CONUT]]", unknown.Message);

        string missing = Path.Combine(dir.Path, "absent.txt");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => MetaPrompt.Load(false, missing)).Message);
    }
}
