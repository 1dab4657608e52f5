using System.Globalization;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Governance assignments store a ticket number as an int32, so a ServiceNow number such as
/// <c>INC0010042</c> goes to Defender as its numeric part, 10042; the ticket link carries the rest.
/// </summary>
public static class TicketNumber
{
    /// <summary>The numeric part of <paramref name="ticketNumber"/>: the digits after its letter prefix.</summary>
    /// <exception cref="ArgumentException">The number is not letters followed by digits, or does not fit an int32.</exception>
    public static int ToGovernanceNumber(string ticketNumber) =>
        TryToGovernanceNumber(ticketNumber, out var number)
            ? number
            : throw new ArgumentException($"'{ticketNumber}' is not a ticket number of letters followed by up to 9 significant digits.", nameof(ticketNumber));

    public static bool TryToGovernanceNumber(string? ticketNumber, out int number)
    {
        number = 0;
        if (string.IsNullOrEmpty(ticketNumber))
        {
            return false;
        }

        var firstDigit = 0;
        while (firstDigit < ticketNumber.Length && char.IsAsciiLetter(ticketNumber[firstDigit]))
        {
            firstDigit++;
        }

        var digits = ticketNumber.AsSpan(firstDigit);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return digits.Length > 0 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }
}
