/**
 * Builders for by-value Lens panels: a layer of columns over one data view, a visualization
 * over that layer, and the panel that places it on a dashboard. Ids (panel, layer, column)
 * are readable names chosen in the dashboard source, never random: a rebuild is byte-identical
 * and a change to one panel is a small diff.
 */
import { type Expr, formulaColumns } from './formula.js';
import {
  type KibanaType,
  type LensAttributes,
  type LensColumn,
  type LensLayer,
  type LensPanel,
  layerReferenceName,
  RECORDS_FIELD,
} from './lens-schema.js';

export interface DataViewHandle<F extends string> {
  readonly id: string;
  readonly fields: Readonly<Record<F, KibanaType>>;
}

const kqlFilter = (kql?: string) =>
  kql === undefined ? {} : { filter: { query: kql, language: 'kuery' as const } };

/** Columns of one Lens layer, typed by the fields of its data view. */
export class Layer<F extends string> {
  readonly columns: [string, LensColumn][] = [];

  constructor(
    readonly id: string,
    readonly dataView: DataViewHandle<F>,
  ) {}

  private add(colId: string, column: LensColumn): string {
    if (this.columns.some(([c]) => c === colId))
      throw new Error(`duplicate column ${colId} in layer ${this.id}`);
    this.columns.push([colId, column]);
    return colId;
  }

  dateHistogram(colId = 'time', field = '@timestamp' as F): string {
    return this.add(colId, {
      label: field,
      dataType: 'date',
      operationType: 'date_histogram',
      sourceField: field,
      isBucketed: true,
      scale: 'interval',
      params: { interval: 'auto', includeEmptyRows: true, dropPartials: false },
    });
  }

  terms(
    colId: string,
    field: F,
    o: { label: string; size: number; orderBy?: string; direction?: 'asc' | 'desc'; other?: boolean },
  ): string {
    return this.add(colId, {
      label: o.label,
      customLabel: true,
      dataType: this.dataView.fields[field],
      operationType: 'terms',
      scale: 'ordinal',
      sourceField: field,
      isBucketed: true,
      params: {
        size: o.size,
        orderBy: o.orderBy
          ? { type: 'column', columnId: o.orderBy }
          : { type: 'alphabetical', fallback: true },
        orderDirection: o.direction ?? 'desc',
        otherBucket: o.other ?? false,
        missingBucket: false,
        parentFormat: { id: 'terms' },
        include: [],
        exclude: [],
        includeIsRegex: false,
        excludeIsRegex: false,
      },
    });
  }

  count(colId: string, label: string, kql?: string): string {
    return this.add(colId, {
      label,
      customLabel: true,
      dataType: 'number',
      operationType: 'count',
      isBucketed: false,
      scale: 'ratio',
      sourceField: RECORDS_FIELD,
      params: { emptyAsNull: false },
      ...kqlFilter(kql),
    });
  }

  percentile(colId: string, label: string, field: F, percentile: number, kql?: string): string {
    return this.add(colId, {
      label,
      customLabel: true,
      dataType: 'number',
      operationType: 'percentile',
      isBucketed: false,
      scale: 'ratio',
      sourceField: field,
      params: { percentile, format: { id: 'number', params: { decimals: 1, suffix: ' s' } } },
      ...kqlFilter(kql),
    });
  }

  uniqueCount(colId: string, label: string, field: F, kql?: string): string {
    return this.add(colId, {
      label,
      customLabel: true,
      dataType: 'number',
      operationType: 'unique_count',
      isBucketed: false,
      scale: 'ratio',
      sourceField: field,
      params: { emptyAsNull: false },
      ...kqlFilter(kql),
    });
  }

  minMax(colId: string, op: 'min' | 'max', label: string, field: F, kql?: string): string {
    return this.add(colId, {
      label,
      customLabel: true,
      dataType: this.dataView.fields[field],
      operationType: op,
      isBucketed: false,
      scale: 'ratio',
      sourceField: field,
      params: { emptyAsNull: true },
      ...kqlFilter(kql),
    });
  }

  formula(colId: string, label: string, e: Expr, format: 'percent' | 'number' = 'number'): string {
    const columns = formulaColumns(colId, label, e, {
      id: format,
      params: { decimals: format === 'percent' ? 1 : 0 },
    });
    for (const [id, column] of columns) this.add(id, column);
    return colId;
  }

  toState(): LensLayer {
    const bucketed = this.columns.filter(([, c]) => c.isBucketed).map(([id]) => id);
    const metrics = this.columns.filter(([, c]) => !c.isBucketed).map(([id]) => id);
    return {
      columns: Object.fromEntries(this.columns),
      columnOrder: [...bucketed, ...metrics],
      incompleteColumns: {},
    };
  }
}

const AXES = { x: true, yLeft: true, yRight: true };

export type Visualization =
  | {
      type: 'xy';
      series: 'bar_stacked' | 'bar' | 'line' | 'area' | 'bar_horizontal';
      x: string;
      y: string[];
      split?: string;
      colors?: Record<string, string>;
      percentAxis?: boolean;
    }
  | { type: 'metric'; metric: string; color?: string }
  | { type: 'table'; columns: string[]; sortBy?: { column: string; direction: 'asc' | 'desc' } }
  | { type: 'donut'; groups: string[]; metric: string };

function visualizationState(
  layerId: string,
  v: Visualization,
): [LensAttributes['visualizationType'], Record<string, unknown>] {
  switch (v.type) {
    case 'xy':
      return [
        'lnsXY',
        {
          legend: { isVisible: true, position: 'bottom', showSingleSeries: true },
          valueLabels: 'hide',
          fittingFunction: v.series === 'line' ? 'Linear' : 'None',
          axisTitlesVisibilitySettings: { x: false, yLeft: false, yRight: false },
          tickLabelsVisibilitySettings: AXES,
          labelsOrientation: { x: 0, yLeft: 0, yRight: 0 },
          gridlinesVisibilitySettings: AXES,
          preferredSeriesType: v.series,
          yLeftExtent: v.percentAxis ? { mode: 'custom', lowerBound: 0, upperBound: 1 } : { mode: 'full' },
          yRightExtent: { mode: 'full' },
          layers: [
            {
              layerId,
              layerType: 'data',
              seriesType: v.series,
              xAccessor: v.x,
              accessors: v.y,
              ...(v.split ? { splitAccessor: v.split } : {}),
              yConfig: v.y.map((a) => ({
                forAccessor: a,
                axisMode: 'left',
                ...(v.colors?.[a] ? { color: v.colors[a] } : {}),
              })),
            },
          ],
        },
      ];
    case 'metric':
      return [
        'lnsMetric',
        { layerId, layerType: 'data', metricAccessor: v.metric, ...(v.color ? { color: v.color } : {}) },
      ];
    case 'table':
      return [
        'lnsDatatable',
        {
          layerId,
          layerType: 'data',
          columns: v.columns.map((columnId) => ({ columnId, isTransposed: false })),
          ...(v.sortBy ? { sorting: { columnId: v.sortBy.column, direction: v.sortBy.direction } } : {}),
        },
      ];
    case 'donut':
      return [
        'lnsPie',
        {
          shape: 'donut',
          layers: [
            {
              layerId,
              layerType: 'data',
              primaryGroups: v.groups,
              metrics: [v.metric],
              numberDisplay: 'percent',
              categoryDisplay: 'default',
              legendDisplay: 'default',
              nestedLegend: false,
            },
          ],
        },
      ];
  }
}

export interface PanelSpec<F extends string> {
  key: string;
  title: string;
  grid: { x: number; y: number; w: number; h: number };
  layer: Layer<F>;
  visualization: Visualization;
  /** KQL applied to the whole panel (e.g. only reject lines). */
  query?: string;
}

export function lensPanel<F extends string>(spec: PanelSpec<F>): LensPanel {
  const { layer } = spec;
  const [visualizationType, visualization] = visualizationState(layer.id, spec.visualization);
  return {
    type: 'lens',
    panelIndex: spec.key,
    title: spec.title,
    gridData: { ...spec.grid, i: spec.key },
    embeddableConfig: {
      attributes: {
        title: spec.title,
        description: '',
        visualizationType,
        type: 'lens',
        references: [{ type: 'index-pattern', id: layer.dataView.id, name: layerReferenceName(layer.id) }],
        state: {
          visualization,
          query: { query: spec.query ?? '', language: 'kuery' },
          filters: [],
          datasourceStates: { formBased: { layers: { [layer.id]: layer.toState() } } },
          internalReferences: [],
          adHocDataViews: {},
        },
      },
      enhancements: {},
    },
  };
}
