namespace DefenderSnow.Core.TicketEvents;

/// <summary>A ticket read for an event could not be applied (Defender refused or the assignment kept changing): delivered again.</summary>
public sealed class TicketEventNotAppliedException : Exception
{
    public TicketEventNotAppliedException()
    {
    }

    public TicketEventNotAppliedException(string message)
        : base(message)
    {
    }

    public TicketEventNotAppliedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
