using SegCluster.Experiment;
namespace SegCluster.Learning.Data;

/// <summary>
/// Filters of the images a fold uses, off by default and recorded with a run: a pixel minimum per class (later
/// codebases'), and the authors' drop of training objects that cover at most two points of the stride-32 grid
/// (`ss_datalayer.py` `_remove_small_objects`; D_test is not filtered).
/// </summary>
public sealed record SplitOptions(int MinClassPixels = 1, bool DropSmallObjects = false)
{
    public const int SmallObjectStride = 32;

    /// <summary>The authors keep an object when more than this many grid points fall on it.</summary>
    public const int SmallObjectGridPoints = 2;
}

/// <summary>
/// One PASCAL-5i fold (<see cref="PascalFiveI"/>). D_train: catalog train images with a training
/// class, test-class pixels read as background. D_test: VOC val images with a test class. Seen: VOC val images
/// with a training class (never trained on), for the seen-class control.
/// </summary>
public sealed record FoldSplit(int Fold, IReadOnlyList<int> TestClasses, IReadOnlyList<int> TrainClasses,
    IReadOnlyList<AnnotatedImage> Train, IReadOnlyList<AnnotatedImage> Test, IReadOnlyList<AnnotatedImage> Seen, SplitOptions Options)
{
    public static FoldSplit Build(DataCatalog catalog, int fold, SplitOptions? options = null)
    {
        options ??= new SplitOptions();
        if (options.MinClassPixels < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MinClassPixels, "MinClassPixels must be at least 1");
        var test = PascalFiveI.TestClassesOf(fold);
        var train = PascalFiveI.TrainClassesOf(fold);
        return new FoldSplit(fold, test, train,
            Restrict(catalog.TrainPool, train, options, training: true), Restrict(catalog.ValPool, test, options, training: false),
            Restrict(catalog.ValPool, train, options, training: false), options);
    }

    /// <summary>
    /// Refuses a fold whose classes cannot all be sampled: each test class needs a query and <paramref name="shots"/>
    /// supports in D_test, each training class two images in D_train. Otherwise meanIoU would silently average
    /// fewer than five classes.
    /// </summary>
    public void CheckClassCoverage(int shots)
    {
        Require(Test, TestClasses, shots + 1, "D_test (VOC val)", $"{shots}-shot test episodes");
        Require(Train, TrainClasses, 2, "D_train", "training episodes");

        void Require(IReadOnlyList<AnnotatedImage> images, IReadOnlyList<int> classes, int needed, string splitName, string purpose)
        {
            foreach (var c in classes)
            {
                var count = images.Count(i => i.Classes.Contains(c));
                if (count < needed)
                    throw new ArgumentException(
                        $"fold {Fold}: class {PascalClasses.Name(c)} is in {count} image(s) of {splitName}; {purpose} need at least {needed}");
            }
        }
    }

    /// <summary>The images with at least one of the classes, each listing only those classes.</summary>
    private static List<AnnotatedImage> Restrict(IReadOnlyList<AnnotatedImage> pool, IReadOnlyList<int> classes, SplitOptions options, bool training) =>
        pool.Select(image => image with
            {
                Classes = image.Classes.Where(c => classes.Contains(c) && image.PixelCounts[c] >= options.MinClassPixels
                    && !(training && options.DropSmallObjects && image.GridCounts[c] <= SplitOptions.SmallObjectGridPoints)).ToList(),
            })
            .Where(image => image.Classes.Count > 0)
            .ToList();
}
