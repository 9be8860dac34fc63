namespace Paft.MLNet.PromptGeneration;

/// <summary>Removes API keys from any text the generator logs, records or throws.</summary>
internal sealed class SecretRedactor
{
    public const string Mask = "***";
    private readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string?> secrets) =>
        // Longest first, so that a key containing another key is masked whole.
        _secrets = secrets.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length).ToArray();

    public string Redact(string text)
    {
        foreach (string secret in _secrets)
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return text;
    }
}
