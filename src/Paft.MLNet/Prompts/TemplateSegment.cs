namespace Paft.MLNet.Prompts;

/// <summary>
/// One piece of a parsed template: either literal text (escapes already resolved) or a placeholder
/// naming a field. <see cref="Position"/> is where the piece starts in the source text.
/// </summary>
internal readonly record struct TemplateSegment(bool IsPlaceholder, string Value, int Position)
{
    public static TemplateSegment Literal(string text, int position) => new(false, text, position);

    public static TemplateSegment Placeholder(string name, int position) => new(true, name, position);
}
