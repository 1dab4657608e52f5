using System.Reflection;
using System.Text.Json;
using DefenderSnow.Core.Contract;
using DefenderSnow.Functions.Http;

namespace DefenderSnow.Tests.Contract;

/// <summary>One enum of the contract, for <see cref="ContractEnumTests"/>: its members as declared, and the mapping's two directions.</summary>
public abstract class ContractEnumCase
{
    protected ContractEnumCase(Type type, string[] locations)
    {
        Type = type;
        Locations = locations;
    }

    public Type Type { get; }

    /// <summary>Where <c>contract/openapi.yaml</c> lists the values: a schema name, or <c>Schema.property</c>.</summary>
    public IReadOnlyList<string> Locations { get; }

    /// <summary>Each declared member with its <see cref="ContractNameAttribute"/>, read directly (null when it has none).</summary>
    public IReadOnlyList<(object Member, string? Name)> Members() =>
        Type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (f.GetValue(null)!, f.GetCustomAttribute<ContractNameAttribute>()?.Name))
            .ToList();

    public abstract IReadOnlyList<string> Names();

    public abstract string ToContract(object member);

    /// <summary>The member as the contract's serializer writes it.</summary>
    public string Json(object member) => JsonSerializer.Serialize(member, Type, ApiJson.Options);

    public abstract bool TryParse(string? name, out object? member);

    public override string ToString() => Type.Name;
}

public sealed class ContractEnumCase<T> : ContractEnumCase
    where T : struct, Enum
{
    public ContractEnumCase(params string[] locations)
        : base(typeof(T), locations)
    {
    }

    public override IReadOnlyList<string> Names() => ContractNames.Of<T>();

    public override string ToContract(object member) => ((T)member).ToContract();

    public override bool TryParse(string? name, out object? member)
    {
        var parsed = ContractNames.TryParse(name, out T value);
        member = parsed ? value : null;
        return parsed;
    }
}
