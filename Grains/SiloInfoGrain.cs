using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using SegCluster.Contracts;
using SegCluster.Learning;
using static TorchSharp.torch;

namespace SegCluster.Grains;

[StatelessWorker]
public sealed class SiloInfoGrain(ILocalSiloDetails silo, IOptions<SiloSettings> options) : Grain, ISiloInfoGrain
{
    public Task<SiloDescription> DescribeAsync()
    {
        // A real (tiny) torch computation proves the native libraries load and run in this silo process.
        double checkSum;
        using (NewDisposeScope())
            checkSum = arange(10, dtype: float32).matmul(ones(10, dtype: float32)).item<float>();
        return Task.FromResult(new SiloDescription(
            silo.Name,
            silo.SiloAddress.Endpoint.ToString(),
            Environment.ProcessId,
            options.Value.Devices,
            TorchRuntime.Describe(),
            checkSum));
    }
}
