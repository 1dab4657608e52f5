using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Resource Manager answered with an error (<c>{"error":{"code","message"}}</c>) that retrying will not
/// fix: a missing role, a rejected body, an unknown resource where one was required.
/// </summary>
public sealed class ResourceManagerException : UpstreamRejectedException
{
    public const string SystemName = "Resource Manager";

    public ResourceManagerException(int statusCode, string code, string message, Exception? innerException = null)
        : base(SystemName, message, statusCode, code, innerException)
    {
    }

    /// <summary>Resource Manager's <c>error.code</c>, for example <c>AuthorizationFailed</c> or <c>InvalidRequestContent</c>.</summary>
    public new string Code => base.Code!;

    /// <summary>The HTTP status Resource Manager answered with.</summary>
    public new int StatusCode => base.StatusCode!.Value;
}
