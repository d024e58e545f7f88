using System.Collections.Concurrent;
using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Experiment;

namespace SegCluster.Grains;

/// <summary>One scan of each data set per silo process, shared by its fold and episode grains.</summary>
public sealed class DataCatalogCache
{
    private readonly ConcurrentDictionary<(string, string?, string?), Lazy<DataCatalog>> catalogs = new();

    public DataCatalog Catalog(RunConfig config) =>
        catalogs.GetOrAdd((config.Voc, config.Sbd, config.Aug),
            key => new Lazy<DataCatalog>(() => DataCatalog.Scan(new DataSources(key.Item1, key.Item2, key.Item3)))).Value;

    public FoldSplit Split(RunConfig config, int fold)
    {
        var split = FoldSplit.Build(Catalog(config), fold, new SplitOptions(config.MinClassPixels, config.DropSmallObjects));
        if (config.FoldLists is null) return split;
        var path = FoldPlan.FoldListPath(config.FoldLists, fold);
        return FoldList.RestrictTest(split, FoldList.Load(path), path);
    }
}
