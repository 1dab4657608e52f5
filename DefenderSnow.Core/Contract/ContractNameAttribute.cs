namespace DefenderSnow.Core.Contract;

/// <summary>
/// The name an enum member has in the HTTP contract (<c>contract/openapi.yaml</c>). It sits on the member so that adding
/// a member and naming it are one edit; <see cref="ContractNames"/> reads it, in both directions.
/// </summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class ContractNameAttribute : Attribute
{
    public ContractNameAttribute(string name)
    {
        Name = name;
    }

    public string Name { get; }
}
