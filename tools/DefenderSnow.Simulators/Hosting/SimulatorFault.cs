namespace DefenderSnow.Simulators.Hosting;

/// <summary>What an injected fault does to one request.</summary>
public enum SimulatorFaultKind
{
    /// <summary>The request waits first, then is handled (or answered by another fault).</summary>
    Delay,

    /// <summary>The request is answered with <see cref="SimulatorFault.StatusCode"/> before any work is done.</summary>
    Answer,

    /// <summary>The connection is dropped without an answer, as when the service cannot be reached.</summary>
    Drop,

    /// <summary>The work is done, then the answer is a 500: the caller cannot know the outcome.</summary>
    FailAfterCommit,

    /// <summary>
    /// No answer until the caller gives up; the work is done afterwards, as a real instance finishes a transaction
    /// whose client timed out or disconnected. Only simulators whose service does this honour it (ServiceNow creates).
    /// </summary>
    CommitLate,

    /// <summary>The request is answered 302 to <see cref="SimulatorFault.Location"/>, as a hijacked or misconfigured front end might.</summary>
    Redirect,
}

/// <summary>
/// One injected fault. Each simulator writes <see cref="SimulatorFaultKind.Answer"/> faults in its own service's
/// error shape (status, code, body, <c>Retry-After</c> when <see cref="RetryAfter"/> is set).
/// </summary>
public sealed record SimulatorFault(SimulatorFaultKind Kind, int StatusCode = 0, TimeSpan? RetryAfter = null, TimeSpan Delay = default, Uri? Location = null);
