@testable import ControlPlane
import Testing

@Test func fragmentsAreReusedUntilTheirKeyChanges() {
    let cache = RenderedFragments<Int>(limit: 2)
    var renders = 0
    let render = { () -> String in renders += 1; return "<x>\(renders)</x>" }
    #expect(cache.fragment("a", key: 1, render: render) == "<x>1</x>")
    #expect(cache.fragment("a", key: 1, render: render) == "<x>1</x>")
    #expect(renders == 1)
    #expect(cache.fragment("a", key: 2, render: render) == "<x>2</x>")
    #expect(renders == 2)
    // Past the limit the cache starts over rather than growing.
    _ = cache.fragment("b", key: 1, render: render)
    _ = cache.fragment("c", key: 1, render: render)
    #expect(cache.fragment("a", key: 2, render: render) == "<x>5</x>")
}
