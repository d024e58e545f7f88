-- Methods, optimizer, loss, precision and states became enums stored by name; the loss, a boolean before, is now
-- "sum" or "mean", and the grain state classes were renamed. Grain state is Newtonsoft JSON whose "$type" must
-- come first, so it is rewritten as text, not through jsonb (which would reorder keys).
UPDATE runs
SET config = (config - 'MeanLoss') || jsonb_build_object('Loss', CASE WHEN (config->>'MeanLoss')::boolean THEN 'mean' ELSE 'sum' END)
WHERE config ? 'MeanLoss';

UPDATE orleansstorage
SET payloadbinary = convert_to(
    replace(replace(replace(replace(replace(convert_from(payloadbinary, 'UTF8'),
        '"MeanLoss":true', '"Loss":"mean"'),
        '"MeanLoss":false', '"Loss":"sum"'),
        '"Methods":{"$type":"System.String[], System.Private.CoreLib"', '"Methods":{"$type":"SegCluster.Contracts.Method[], SegCluster.Contracts"'),
        '"$type":"SegCluster.Grains.RunState, SegCluster.Grains"', '"$type":"SegCluster.Grains.RunGrainState, SegCluster.Grains"'),
        '"$type":"SegCluster.Grains.FoldState, SegCluster.Grains"', '"$type":"SegCluster.Grains.FoldGrainState, SegCluster.Grains"'),
    'UTF8')
WHERE graintypestring IN ('run', 'fold') AND payloadbinary IS NOT NULL;
