namespace OnCallBot.Core.Inbound;

/// <summary>
/// Reads a request body a chat platform sent, whole, but never more than a limit: a body declared or found larger
/// is refused (null) before it is kept in memory. Every platform's endpoint reads its bodies this way.
/// </summary>
public static class BoundedBody
{
    /// <summary>The body's bytes, or null when <paramref name="declaredLength"/> or what arrives exceeds <paramref name="limit"/>.</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, long? declaredLength, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        if (declaredLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream(declaredLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
