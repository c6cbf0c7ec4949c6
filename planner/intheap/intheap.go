// Package intheap is a min-heap of ints for container/heap: the ready
// steps of a graph, kept in plan order by index (the planner's
// topological order and the executor's walk).
package intheap

// Heap is a min-heap of ints (container/heap.Interface).
type Heap []int

func (h Heap) Len() int           { return len(h) }
func (h Heap) Less(i, j int) bool { return h[i] < h[j] }
func (h Heap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }

// Push is for container/heap.
func (h *Heap) Push(x any) { *h = append(*h, x.(int)) }

// Pop is for container/heap.
func (h *Heap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
