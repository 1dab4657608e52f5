namespace DefenderSnow.Core.Contract;

/// <summary>
/// An enum value without a contract name was about to reach the contract: a member added without
/// <see cref="ContractNameAttribute"/>, or a number cast to the enum. A defect, never a caller's mistake, so it is not a
/// <see cref="Errors.DomainException"/>; writing some made-up name instead would tell callers something false.
/// </summary>
public sealed class UnmappedContractValueException : InvalidOperationException
{
    public UnmappedContractValueException(Type enumType, object value)
        : base($"{enumType.Name}.{value} has no contract name; give the member a [ContractName].")
    {
        EnumType = enumType;
        Value = value;
    }

    public Type EnumType { get; }

    public object Value { get; }
}
