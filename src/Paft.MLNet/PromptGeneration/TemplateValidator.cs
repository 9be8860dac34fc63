using Paft.MLNet.Tasks;

namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// Checks a candidate template text for a task and returns its problems, one message each; an empty
/// list means the template is accepted.
/// </summary>
/// <param name="templateText">The template, with real newline characters and <c>{field}</c> placeholders.</param>
/// <param name="task">The task whose fields the template must contain.</param>
public delegate IReadOnlyList<string> TemplateValidator(string templateText, TaskDefinition task);
