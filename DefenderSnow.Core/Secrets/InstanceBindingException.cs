using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Secrets;

/// <summary>
/// The integration's row names another ServiceNow instance than the one its credentials were proven against and bound
/// to in Key Vault (issue 26 M3): the row was changed outside the API, so no credential is sent. Names hosts, never a secret.
/// </summary>
public sealed class InstanceBindingException : DomainException
{
    public InstanceBindingException(string message)
        : base(message)
    {
    }

    public override DomainErrorKind Kind => DomainErrorKind.Conflict;

    public override string Title => "Credentials bound to another instance";
}
