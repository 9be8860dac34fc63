using Paft.Llama.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Lora;

/// <summary>
/// The LoRA adapters applied to one model: created by <see cref="Apply"/>, which wraps every targeted
/// <see cref="AdaptableLinear"/> and freezes every base parameter, so only adapter tensors train.
/// </summary>
public sealed class LoraAdapterSet
{
    private readonly List<KeyValuePair<string, LoraAdapter>> _adapters;

    private LoraAdapterSet(nn.Module model, LoraConfig config, List<KeyValuePair<string, LoraAdapter>> adapters)
    {
        Model = model;
        Config = config;
        _adapters = adapters;
    }

    /// <summary>The model the adapters live in.</summary>
    public nn.Module Model { get; }

    /// <summary>The configuration they were created from.</summary>
    public LoraConfig Config { get; }

    /// <summary>The adapters keyed by the adapted layer's module name, in the model's module order.</summary>
    public IReadOnlyList<KeyValuePair<string, LoraAdapter>> Adapters => _adapters;

    /// <summary>Whether the adapters are merged into their base weights.</summary>
    public bool IsMerged => _adapters.Count > 0 && _adapters[0].Value.IsMerged;

    /// <summary>
    /// Wraps every <see cref="AdaptableLinear"/> whose name <paramref name="config"/> targets with a fresh
    /// <see cref="LoraAdapter"/> (A from a torch generator seeded with <paramref name="seed"/>, layers in
    /// module order; B zero), after setting <c>requires_grad = false</c> on every existing parameter of
    /// <paramref name="model"/>. Base weights are not modified.
    /// </summary>
    /// <exception cref="ArgumentException">No layer matches, or a matched layer already has an adapter.</exception>
    public static LoraAdapterSet Apply(nn.Module model, LoraConfig config, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();

        var targets = new List<(string Name, AdaptableLinear Layer)>();
        // named_modules() leaves out the root; a bare layer (name "") can be adapted too.
        foreach ((string name, nn.Module module) in model.named_modules().Prepend(("", model)))
        {
            if (module is AdaptableLinear linear && config.IsTarget(name))
            {
                if (linear.Adapter is not null)
                    throw new ArgumentException($"Layer '{name}' already has an adapter; remove it before applying LoRA.", nameof(model));
                targets.Add((name, linear));
            }
        }
        if (targets.Count == 0)
        {
            string wanted = config.TargetModulesRegex ?? string.Join(", ", config.TargetModules);
            throw new ArgumentException($"No AdaptableLinear layer of the model matches the LoRA targets ({wanted}).", nameof(config));
        }

        foreach (Parameter p in model.parameters())
            p.requires_grad = false;

        using var generator = new Generator((ulong)seed, targets[0].Layer.weight.device);
        var adapters = new List<KeyValuePair<string, LoraAdapter>>(targets.Count);
        foreach ((string name, AdaptableLinear layer) in targets)
        {
            var adapter = new LoraAdapter(layer, config.Rank, config.Scaling, config.Dropout, generator);
            layer.Adapter = adapter;
            adapters.Add(new(name, adapter));
        }
        return new LoraAdapterSet(model, config, adapters);
    }

    /// <summary>
    /// The trainable tensors, named <c>{layer}.lora_A</c> / <c>{layer}.lora_B</c>, in a fixed order
    /// (module order, A before B).
    /// </summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach ((string name, LoraAdapter adapter) in _adapters)
        {
            yield return (name + ".lora_A", adapter.lora_A);
            yield return (name + ".lora_B", adapter.lora_B);
        }
    }

    /// <summary>Folds every adapter into its base weight.</summary>
    public void Merge()
    {
        foreach (var pair in _adapters) pair.Value.Merge();
    }

    /// <summary>Undoes <see cref="Merge"/>.</summary>
    public void Unmerge()
    {
        foreach (var pair in _adapters) pair.Value.Unmerge();
    }

    /// <summary>
    /// Takes the adapters out of their layers (unmerging first if merged). The base parameters stay
    /// frozen (<c>requires_grad = false</c>).
    /// </summary>
    public void Remove()
    {
        if (IsMerged) Unmerge();
        foreach ((string _, LoraAdapter adapter) in _adapters)
            adapter.Detach();
        _adapters.Clear();
    }

    /// <summary>Sets the generator every adapter's dropout draws from (null: torch's global RNG).</summary>
    internal void SetDropoutGenerator(Generator? generator)
    {
        foreach (var pair in _adapters) pair.Value.DropoutGenerator = generator;
    }
}
