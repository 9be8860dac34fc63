namespace Paft.MLNet.Connectors;

/// <summary>The wire protocol a template-generating LLM endpoint speaks.</summary>
public enum LlmClientKind
{
    /// <summary>The OpenAI chat-completions protocol (<c>POST {endpoint}/chat/completions</c>): OpenAI itself,
    /// or any compatible server such as vLLM, llama.cpp's server or LM Studio.</summary>
    OpenAI,

    /// <summary>Ollama's native chat API (<c>POST {endpoint}/api/chat</c>).</summary>
    Ollama,
}
