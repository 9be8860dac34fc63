using System.Security.Cryptography;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.MLNet.Training;
using TorchSharp;

namespace Paft.MLNet.Model;

/// <summary>
/// A base LLaMA checkpoint loaded with its tokenizer, and where it came from. Disposing releases the native weights
/// (and the LoRA adapters injected into them); using it afterwards throws <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class LoadedCheckpoint : IDisposable
{
    private LoadedCheckpoint(string path, string? tokenizerPath, PaftComputeType computeType, LlamaForCausalLM model, ILlamaTokenizer tokenizer)
    {
        Path = path;
        TokenizerPath = tokenizerPath;
        ComputeType = computeType;
        CausalLM = model;
        Tokenizer = tokenizer;
    }

    public string Path { get; }

    public string? TokenizerPath { get; }

    public PaftComputeType ComputeType { get; }

    public LlamaForCausalLM CausalLM { get; }

    public ILlamaTokenizer Tokenizer { get; }

    /// <summary>Whether the native weights were released.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>Throws when the native weights were released, naming what was to be done with them.</summary>
    public void ThrowIfDisposed(string operation)
    {
        if (IsDisposed)
            throw new ObjectDisposedException(nameof(PaftTransformer),
                $"{operation}: the PAFT model's native weights were released by Dispose; load or train the model again.");
    }

    /// <summary>Releases the native weights (every tensor of the model, adapters included); a second call does nothing.</summary>
    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        CausalLM.Dispose();
    }

    /// <summary>The padding id: the config's pad token, else the first EOS (padding is masked out either way).</summary>
    public int PadTokenId => CausalLM.Config.PadTokenId ?? (Tokenizer.EosIds.Count > 0 ? Tokenizer.EosIds[0] : 0);

    public static LoadedCheckpoint Load(string path, string? tokenizerPath, PaftComputeType computeType)
    {
        string full = System.IO.Path.GetFullPath(path);
        var dtype = computeType == PaftComputeType.BFloat16 ? torch.ScalarType.BFloat16 : torch.ScalarType.Float32;
        LlamaForCausalLM model = LlamaForCausalLM.FromPretrained(full, dtype);
        model.eval();
        ILlamaTokenizer tokenizer = TokenizerLoader.Load(full, tokenizerPath);
        return new LoadedCheckpoint(full, tokenizerPath is null ? null : System.IO.Path.GetFullPath(tokenizerPath), computeType, model, tokenizer);
    }

    /// <summary>
    /// SHA-256 over the checkpoint's config and weight files (names and contents, in name order): a saved
    /// PAFT model records it so that loading against a changed base fails instead of predicting garbage.
    /// </summary>
    public static string Checksum(string modelPath)
    {
        var files = Directory.GetFiles(modelPath, "*.safetensors").Append(System.IO.Path.Combine(modelPath, "config.json"))
            .Where(File.Exists)
            .Select(System.IO.Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .ToArray();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (string? name in files)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
            using FileStream stream = File.OpenRead(System.IO.Path.Combine(modelPath, name!));
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                sha.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
