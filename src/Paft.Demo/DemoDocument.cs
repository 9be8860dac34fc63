namespace Paft.Demo;

/// <summary>
/// A pretraining document in two parts: the lead (a story or a list: random by construction, so it is
/// read but not learned) and the body (questions and their answers: what pretraining learns).
/// </summary>
internal sealed record DemoDocument(string Lead, string Body)
{
    public string Text => Lead + Body;
}
