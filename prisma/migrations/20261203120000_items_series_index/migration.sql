-- "More like this" lists the other films of an item's series first.
CREATE INDEX "items_series_idx" ON "items"("series");
