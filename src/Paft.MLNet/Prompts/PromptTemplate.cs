using System.Diagnostics.CodeAnalysis;
using System.Text;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Prompts;

/// <summary>
/// A prompt template in Python <c>str.format</c> syntax, the format the PAFT authors publish their pools
/// in: <c>{name}</c> is replaced by the field <c>name</c> of a row, <c>{{</c> and <c>}}</c> are literal
/// braces. The text is parsed once into literal and placeholder segments, so rendering is one pass.
/// </summary>
/// <remarks>
/// Python also accepts positional fields (<c>{}</c>, <c>{0}</c>), conversions (<c>{name!r}</c>), format
/// specs (<c>{name:&gt;10}</c>) and attribute or index access (<c>{name.attr}</c>, <c>{name[0]}</c>).
/// Rows fill templates by field name with plain text, so none of these has a use here and each is
/// rejected with a <see cref="PromptTemplateException"/> that says which one it is and where. Everything
/// Python accepts as a keyword name is accepted (including names with spaces, such as <c>{ ctx }</c>,
/// which then fail validation as unknown fields, as they would fail in Python with a <c>KeyError</c>).
/// </remarks>
public sealed class PromptTemplate
{
    private const string DefaultId = "template";

    private readonly TemplateSegment[] _segments;
    private readonly int _literalLength;

    private PromptTemplate(string id, string text, PromptTextEscaping escaping, TemplateSegment[] segments)
    {
        Id = id;
        Text = text;
        Escaping = escaping;
        _segments = segments;
        _literalLength = segments.Where(s => !s.IsPlaceholder).Sum(s => s.Value.Length);
        PlaceholderOrder = segments.Where(s => s.IsPlaceholder).Select(s => s.Value).ToArray();
        Placeholders = PlaceholderOrder.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The template's id (used in every message about it).</summary>
    public string Id { get; }

    /// <summary>The source text, exactly as written (escape sequences not resolved).</summary>
    public string Text { get; }

    /// <summary>How <see cref="Text"/> spells newlines and tabs.</summary>
    public PromptTextEscaping Escaping { get; }

    /// <summary>The distinct field names the template uses, in order of first appearance.</summary>
    public IReadOnlyList<string> Placeholders { get; }

    /// <summary>Every placeholder occurrence in order (a field used twice appears twice).</summary>
    public IReadOnlyList<string> PlaceholderOrder { get; }

    internal IReadOnlyList<TemplateSegment> Segments => _segments;

    /// <summary>
    /// The template with escape sequences resolved and placeholders shown as <c>{name}</c>: what a reader
    /// sees. Literal braces appear single. Used for lengths, duplicates and similarity.
    /// </summary>
    public string DisplayText => string.Concat(_segments.Select(s => s.IsPlaceholder ? "{" + s.Value + "}" : s.Value));

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The template source.</param>
    /// <param name="id">An id for messages; defaults to <c>template</c>.</param>
    /// <param name="escaping">How the source spells newlines and tabs.</param>
    /// <exception cref="PromptTemplateException">The text is not a valid template; the message names the id and position.</exception>
    public static PromptTemplate Parse(string text, string? id = null, PromptTextEscaping escaping = PromptTextEscaping.None)
    {
        ArgumentNullException.ThrowIfNull(text);
        id ??= DefaultId;
        return new PromptTemplate(id, text, escaping, TemplateParser.Parse(text, id, escaping));
    }

    /// <summary>Parses <paramref name="text"/> without throwing.</summary>
    /// <param name="text">The template source.</param>
    /// <param name="id">An id for messages; defaults to <c>template</c>.</param>
    /// <param name="escaping">How the source spells newlines and tabs.</param>
    /// <param name="template">The template, when the text is valid.</param>
    /// <param name="error">Why the text is not valid, otherwise.</param>
    /// <returns>Whether the text parsed.</returns>
    public static bool TryParse(string text, string? id, PromptTextEscaping escaping,
        [NotNullWhen(true)] out PromptTemplate? template, [NotNullWhen(false)] out PromptTemplateException? error)
    {
        try
        {
            template = Parse(text, id, escaping);
            error = null;
            return true;
        }
        catch (PromptTemplateException e)
        {
            template = null;
            error = e;
            return false;
        }
    }

    /// <summary>Parses <paramref name="text"/> (no escape sequences) without throwing.</summary>
    /// <param name="text">The template source.</param>
    /// <param name="template">The template, when the text is valid.</param>
    /// <returns>Whether the text parsed.</returns>
    public static bool TryParse(string text, [NotNullWhen(true)] out PromptTemplate? template) =>
        TryParse(text, null, PromptTextEscaping.None, out template, out _);

    /// <summary>Fills every placeholder with the row's field of that name.</summary>
    /// <param name="fields">Field name to text; may hold fields the template does not use.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="KeyNotFoundException">A placeholder names a field the row does not have.</exception>
    public string Render(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var builder = new StringBuilder(_literalLength + 64 * PlaceholderOrder.Count);
        foreach (TemplateSegment segment in _segments)
        {
            if (!segment.IsPlaceholder)
            {
                builder.Append(segment.Value);
            }
            else if (fields.TryGetValue(segment.Value, out string? value))
            {
                builder.Append(value);
            }
            else
            {
                throw new KeyNotFoundException(
                    $"Template '{Id}' uses the field '{segment.Value}' at position {segment.Position}, but the row has no such field " +
                    $"(it has: {string.Join(", ", fields.Keys)}).");
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// Checks the template against a task: every field of the task must appear, and no other field may.
    /// </summary>
    /// <param name="task">The task the template is meant for.</param>
    /// <returns>The problems found, in text order (missing fields last); empty when the template is valid.</returns>
    public IReadOnlyList<TemplateProblem> Validate(TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var problems = new List<TemplateProblem>();
        foreach (TemplateSegment segment in _segments)
        {
            if (segment.IsPlaceholder && !task.Fields.Contains(segment.Value))
            {
                problems.Add(new TemplateProblem(Id, TemplateProblemKind.UnknownPlaceholder, segment.Position,
                    $"Template '{Id}', position {segment.Position}: unknown placeholder {{{segment.Value}}}; " +
                    $"task '{task.Name}' has the fields {string.Join(", ", task.Fields)}."));
            }
        }
        foreach (string field in task.Fields)
        {
            if (!Placeholders.Contains(field))
            {
                problems.Add(new TemplateProblem(Id, TemplateProblemKind.MissingPlaceholder, -1,
                    $"Template '{Id}': missing placeholder {{{field}}} required by task '{task.Name}'."));
            }
        }
        return problems;
    }

    /// <summary>
    /// Parses and validates source text in one step, reporting a syntax error as a problem instead of
    /// throwing: what a pool checker needs for text that may not parse.
    /// </summary>
    /// <param name="text">The template source.</param>
    /// <param name="id">The template's id.</param>
    /// <param name="task">The task the template is meant for.</param>
    /// <param name="escaping">How the source spells newlines and tabs.</param>
    /// <returns>The problems found; empty when the template is valid for the task.</returns>
    public static IReadOnlyList<TemplateProblem> Check(string text, string id, TaskDefinition task,
        PromptTextEscaping escaping = PromptTextEscaping.None)
    {
        if (!TryParse(text, id, escaping, out PromptTemplate? template, out PromptTemplateException? error))
            return [new TemplateProblem(id, TemplateProblemKind.Syntax, error.Position, error.Message)];
        return template.Validate(task);
    }

    /// <summary>The same template under another id.</summary>
    internal PromptTemplate WithId(string id) => new(id, Text, Escaping, _segments);

    /// <inheritdoc />
    public override string ToString() => $"{Id}: {Text}";
}
