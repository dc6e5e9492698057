using System.Net;
using System.Net.Sockets;

namespace TrialManager.Testing;

/// <summary>A loopback port nobody listens on right now (the caller binds it soon after, and retries if it lost it).</summary>
public static class FreePort
{
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
